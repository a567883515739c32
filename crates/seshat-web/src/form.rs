//! The form bodies of the POST routes, read strictly: a field whose
//! percent-decoded bytes are not UTF-8 is refused with 400. Axum's `Form`
//! would replace such bytes with U+FFFD and pass on a text the visitor
//! never wrote; no browser sends them, so they can only come from a
//! broken or hostile client, which gets a clear answer instead.

use axum::extract::rejection::RawFormRejection;
use axum::extract::{FromRequest, RawForm, Request};
use serde::de::DeserializeOwned;

use crate::error::WebError;

/// A form body of fields that are all UTF-8, deserialised into `T`.
#[derive(Debug)]
pub struct StrictForm<T>(pub T);

impl<T, S> FromRequest<S> for StrictForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        let RawForm(body) = RawForm::from_request(request, state).await.map_err(
            |rejection: RawFormRejection| {
                WebError::from_rejection(rejection.status(), rejection.body_text())
            },
        )?;
        if !every_field_is_utf8(&body) {
            return Err(seshat_client::Error::InvalidUtf8.into());
        }
        serde_urlencoded::from_bytes(&body)
            .map(StrictForm)
            .map_err(|error| WebError::BadRequest(format!("malformed form: {error}")))
    }
}

/// Whether every name and value of the urlencoded `body` decodes to UTF-8.
fn every_field_is_utf8(body: &[u8]) -> bool {
    body.split(|byte| matches!(byte, b'&' | b'='))
        .all(|part| percent_encoding::percent_decode(part).decode_utf8().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_encoded_invalid_utf8_are_both_found() {
        assert!(every_field_is_utf8(b"text=caf%C3%A9+ok&name="));
        assert!(every_field_is_utf8("text=café".as_bytes()));
        assert!(!every_field_is_utf8(b"text=%FF"));
        assert!(!every_field_is_utf8(b"text=a\xffb"));
        assert!(!every_field_is_utf8(b"te%ED%A0%80xt=x"));
    }
}
