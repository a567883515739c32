//! Manual pages (section 1) from the programs' `clap` commands.

use std::path::{Path, PathBuf};

use clap::CommandFactory as _;

/// A manual page could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ManError {
    /// The output directory could not be made.
    #[error("cannot create the directory {}: {source}", dir.display())]
    Directory {
        /// The directory asked for.
        dir: PathBuf,
        /// Why not.
        source: std::io::Error,
    },
    /// A page could not be rendered or written.
    #[error("cannot write {}: {source}", path.display())]
    Page {
        /// The page's file.
        path: PathBuf,
        /// Why not.
        source: std::io::Error,
    },
}

/// The commands that get a page: each program as it parses its arguments.
fn commands() -> [clap::Command; 2] {
    [
        seshatd::cli::Cli::command(),
        seshat_webapp::cli::Arguments::command(),
    ]
}

/// Writes `NAME.1` for each program into `dir`; returns the files.
pub fn write_pages(dir: &Path) -> Result<Vec<PathBuf>, ManError> {
    std::fs::create_dir_all(dir).map_err(|source| ManError::Directory {
        dir: dir.to_path_buf(),
        source,
    })?;
    commands()
        .into_iter()
        .map(|command| {
            let path = dir.join(format!("{}.1", command.get_name()));
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .and_then(|()| std::fs::write(&path, page))
                .map_err(|source| ManError::Page {
                    path: path.clone(),
                    source,
                })?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_program_gets_a_page_with_its_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let pages = write_pages(&dir.path().join("man")).unwrap();
        let names: Vec<_> = pages
            .iter()
            .map(|page| page.file_name().unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["seshatd.1", "seshat-webapp.1"]);
        let seshatd = std::fs::read_to_string(&pages[0]).unwrap();
        assert!(seshatd.starts_with(".ie"), "not roff: {seshatd}");
        assert!(seshatd.contains(".TH seshatd 1"), "{seshatd}");
        assert!(seshatd.contains("check\\-config"), "{seshatd}");
        let webapp = std::fs::read_to_string(&pages[1]).unwrap();
        assert!(webapp.contains(".TH seshat-webapp 1"), "{webapp}");
        assert!(webapp.contains("listen"), "{webapp}");
    }
}
