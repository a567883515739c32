//! The shared rules: spellings, precedence, and whose key is whose.

use std::path::Path;

use super::*;

fn section(text: &str) -> IniSection {
    IniSection::parse(text, Path::new("site.ini"), "Seshat").unwrap()
}

fn value<'a>(section: &'a IniSection, key: &Key) -> Option<&'a str> {
    section.get(key).map(|found| found.value)
}

#[test]
fn the_prefix_wins_then_the_main_spelling_then_the_last_line() {
    let both = section("[Seshat]\nSEshat_Username = a@x.org\nusername = b@x.org\n");
    assert_eq!(value(&both, &keys::USERNAME), Some("a@x.org"));
    let spellings = section("[Seshat]\nusername = new@x.org\nxmppusername = old@x.org\n");
    assert_eq!(value(&spellings, &keys::USERNAME), Some("new@x.org"));
    let repeated = section("[Seshat]\nsqlitedb = first\n[Seshat]\nSQLITEDB = second\n");
    let found = repeated.get(&keys::SQLITEDB).unwrap();
    assert_eq!((found.key, found.value), ("SQLITEDB", "second"));
}

#[test]
fn a_missing_key_lists_its_spellings_and_an_empty_one_says_so() {
    let empty = section("[Seshat]\nseshat_sqlitedb =\nsqlitedb = x.db\n");
    assert_eq!(
        empty.required(&keys::SQLITEDB).unwrap_err().to_string(),
        "site.ini [Seshat] seshat_sqlitedb: is empty"
    );
    assert_eq!(empty.optional(&keys::SQLITEDB, |_| Ok(1)).unwrap(), None);
    let none = section("[Seshat]\n");
    assert_eq!(
        none.required(&keys::USERNAME).unwrap_err().to_string(),
        "site.ini [Seshat] username: missing; set one of: username, xmppusername, \
         seshat_username, seshat_xmppusername"
    );
}

#[test]
fn a_bad_value_is_named_by_the_key_as_written() {
    let bad = section("[Seshat]\nSeshat_Rate_Limit_Per_Minute = lots\n");
    let error = bad
        .optional(&keys::RATE_LIMIT_PER_MINUTE, |value| {
            value
                .parse::<u32>()
                .map_err(|_| format!("\"{value}\" is not a number"))
        })
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "site.ini [Seshat] Seshat_Rate_Limit_Per_Minute: \"lots\" is not a number"
    );
}

#[test]
fn each_program_accepts_the_others_keys_and_lists_them_apart() {
    let shared = section(
        "[Seshat]\nusername = bot@x.org\nSESHAT_localusers = joe@x.org\nsqlitedb = s.db\n\
         seshat_rate_limit_per_minute = 5\nstatic_dir = /srv/static\njquery_dir = /srv/jq\n\
         client_address_header = x-forwarded-for\nstaff_names = joe@x.org = Joe\n\
         use = egg:shop\nUSE = again\n",
    );
    assert_eq!(
        shared.unread_keys(Program::Daemon).unwrap(),
        UnreadKeys {
            other_program: vec![
                "seshat_rate_limit_per_minute".to_owned(),
                "static_dir".to_owned(),
                "jquery_dir".to_owned(),
                "client_address_header".to_owned(),
            ],
            not_seshat: vec!["use".to_owned()],
        }
    );
    assert_eq!(
        shared.unread_keys(Program::WebApp).unwrap(),
        UnreadKeys {
            other_program: vec!["username".to_owned(), "SESHAT_localusers".to_owned()],
            not_seshat: vec!["use".to_owned()],
        }
    );
}

#[test]
fn an_unknown_seshat_key_is_a_typo_for_both_programs() {
    let typo = section("[Seshat]\nseshat_static_dri = /srv\n");
    for program in [Program::Daemon, Program::WebApp] {
        assert_eq!(
            typo.unread_keys(program).unwrap_err().to_string(),
            "site.ini [Seshat] seshat_static_dri: not a Seshat setting (check the spelling)"
        );
    }
}

#[test]
fn the_file_and_section_errors_are_one_line() {
    let parse = |text| {
        IniSection::parse(text, Path::new("site.ini"), "Seshat")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        parse("[Seshat]\n= value\n"),
        "site.ini: not a valid ini file: line 2, column 2: missing key"
    );
    assert_eq!(
        parse("[seshat]\n[app:main]\n"),
        "site.ini [Seshat]: no such section; the file has [seshat], [app:main]"
    );
    let absent = IniSection::load(Path::new("/nonexistent/site.ini"), "Seshat")
        .unwrap_err()
        .to_string();
    assert!(
        absent.starts_with("/nonexistent/site.ini: cannot read the configuration file: "),
        "{absent}"
    );
}

#[test]
fn every_key_has_one_owner_list_and_no_spelling_twice() {
    let mut spellings: Vec<&str> = keys::ALL
        .iter()
        .flat_map(|key| key.names.iter().copied())
        .collect();
    let count = spellings.len();
    spellings.sort_unstable();
    spellings.dedup();
    assert_eq!(spellings.len(), count, "a spelling belongs to two keys");
    assert!(keys::ALL.iter().all(|key| !key.read_by.is_empty()));
}

#[test]
fn a_value_ending_in_a_backslash_keeps_it_and_the_next_key() {
    let lf = section("[Seshat]\npassword = secret\\\nusername = bot@x.org\r\n");
    assert_eq!(value(&lf, &keys::PASSWORD), Some("secret\\"));
    assert_eq!(value(&lf, &keys::USERNAME), Some("bot@x.org"));
    let crlf = section("[Seshat]\r\npassword = secret\\\r\nusername = bot@x.org\r\n");
    assert_eq!(value(&crlf, &keys::PASSWORD), Some("secret\\"));
    assert_eq!(value(&crlf, &keys::USERNAME), Some("bot@x.org"));
}

proptest::proptest! {
    #[test]
    fn any_text_is_read_or_refused_without_a_panic(text in "(?s).{0,200}") {
        let _ = IniSection::parse(&text, Path::new("site.ini"), "Seshat");
    }

    #[test]
    fn a_value_is_read_back_literally(written in "[^\\s\\[\\];#=][^\\r\\n\\[\\];#]{0,40}[^\\s\\[\\];#=]|") {
        let section = section(&format!("[Seshat]\npassword = {written}\n"));
        proptest::prop_assert_eq!(value(&section, &keys::PASSWORD), Some(written.as_str()));
    }
}

fn database_of(text: &str) -> Result<crate::Database, String> {
    read_database(&section(text)).map_err(|error| error.to_string())
}

#[test]
fn the_database_is_an_sqlite_file_or_a_postgresql_url_never_both() {
    assert_eq!(
        database_of("[Seshat]\nsqlitedb = seshat.db\n"),
        Ok(crate::Database::Sqlite("seshat.db".into()))
    );
    let postgres = database_of("[Seshat]\nseshat_database = postgresql://s:pw@db/chat\n").unwrap();
    assert_eq!(
        postgres.to_string(),
        "postgresql://s:***@db:5432/chat?sslmode=prefer"
    );
    assert_eq!(
        database_of("[Seshat]\nsqlitedb = s.db\nDatabase = postgresql://s:pw@db/chat\n"),
        Err(
            "site.ini [Seshat] Database: is set together with sqlitedb; set only one: \
             sqlitedb for an SQLite file, or Database for a PostgreSQL database"
                .to_owned()
        )
    );
    assert_eq!(
        database_of("[Seshat]\n"),
        Err(
            "site.ini [Seshat] sqlitedb: missing; set sqlitedb (an SQLite file) or database \
             (a PostgreSQL connection string), either with a seshat_ prefix or without"
                .to_owned()
        )
    );
    assert_eq!(
        database_of("[Seshat]\ndatabase =\n"),
        Err("site.ini [Seshat] database: is empty".to_owned())
    );
}

#[test]
fn a_refused_database_url_never_shows_its_password() {
    for written in [
        "postgresql://seshat:hunter2@db/chat?sslmode=sometimes",
        "host=db password=hunter2 colour=blue",
        "hunter2",
    ] {
        let error = database_of(&format!("[Seshat]\ndatabase = {written}\n")).unwrap_err();
        assert!(
            error.starts_with("site.ini [Seshat] database: not a PostgreSQL connection string"),
            "{error}"
        );
        assert!(!error.contains("hunter2"), "{error}");
    }
}
