//! Message framing on stream transports (RFC 3261 18.3): a message ends after its blank
//! line plus Content-Length bytes; CRLF keep-alives (RFC 5626 4.4.1) between messages are
//! skipped. A framing error leaves the stream unsynchronised: the shell closes it.

use bytes::{Buf, Bytes, BytesMut};

/// Longest header section accepted before giving up on a stream.
const MAX_HEAD: usize = 64 * 1024;
/// Largest body accepted.
const MAX_BODY: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FramingError {
    #[error("bad Content-Length: {0:?}")]
    BadContentLength(String),
    #[error("message too large")]
    TooLarge,
}

/// Takes one whole SIP message off the front of a stream buffer, skipping CRLF
/// keep-alives. `Ok(None)`: more bytes are needed.
pub fn take_stream_message(buf: &mut BytesMut) -> Result<Option<Bytes>, FramingError> {
    let skip = buf
        .iter()
        .take_while(|b| **b == b'\r' || **b == b'\n')
        .count();
    buf.advance(skip);
    if buf.is_empty() {
        return Ok(None);
    }
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HEAD {
            Err(FramingError::TooLarge)
        } else {
            Ok(None)
        };
    };
    let head_len = head_end + 4;
    let body_len = content_length(&buf[..head_end])?;
    if body_len > MAX_BODY {
        return Err(FramingError::TooLarge);
    }
    if buf.len() < head_len + body_len {
        return Ok(None);
    }
    Ok(Some(buf.split_to(head_len + body_len).freeze()))
}

/// The Content-Length of a header section (long or compact name); absent means 0.
fn content_length(head: &[u8]) -> Result<usize, FramingError> {
    let head = String::from_utf8_lossy(head);
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("Content-Length") || name.eq_ignore_ascii_case("l") {
            let value = value.trim();
            return value
                .parse()
                .map_err(|_| FramingError::BadContentLength(value.to_string()));
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 4\r\n\r\nbody";

    #[test]
    fn two_messages_in_one_buffer_come_out_one_at_a_time() {
        let mut buf = BytesMut::from(format!("{OPTIONS}{OPTIONS}").as_str());
        assert_eq!(
            take_stream_message(&mut buf).unwrap().unwrap(),
            OPTIONS.as_bytes()
        );
        assert_eq!(
            take_stream_message(&mut buf).unwrap().unwrap(),
            OPTIONS.as_bytes()
        );
        assert_eq!(take_stream_message(&mut buf).unwrap(), None);
    }

    #[test]
    fn partial_message_waits_for_more_bytes() {
        let mut buf = BytesMut::from(&OPTIONS.as_bytes()[..OPTIONS.len() - 2]);
        assert_eq!(take_stream_message(&mut buf).unwrap(), None);
        buf.extend_from_slice(b"dy");
        assert_eq!(
            take_stream_message(&mut buf).unwrap().unwrap(),
            OPTIONS.as_bytes()
        );
        let mut head_only = BytesMut::from("OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n");
        assert_eq!(take_stream_message(&mut head_only).unwrap(), None);
    }

    #[test]
    fn keep_alive_crlfs_are_skipped() {
        let mut buf = BytesMut::from("\r\n\r\n\r\n");
        assert_eq!(take_stream_message(&mut buf).unwrap(), None);
        assert!(buf.is_empty());
        buf.extend_from_slice(format!("\r\n\r\n{OPTIONS}").as_bytes());
        assert_eq!(
            take_stream_message(&mut buf).unwrap().unwrap(),
            OPTIONS.as_bytes()
        );
    }

    #[test]
    fn bad_content_length_is_a_framing_error() {
        let mut buf = BytesMut::from("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: abc\r\n\r\n");
        assert_eq!(
            take_stream_message(&mut buf),
            Err(FramingError::BadContentLength("abc".into()))
        );
        let mut huge = BytesMut::from("OPTIONS sip:a@b SIP/2.0\r\nl: 99999999\r\n\r\n");
        assert_eq!(take_stream_message(&mut huge), Err(FramingError::TooLarge));
    }

    #[test]
    fn missing_content_length_means_no_body() {
        let mut buf = BytesMut::from("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nNEXT");
        let msg = take_stream_message(&mut buf).unwrap().unwrap();
        assert!(msg.ends_with(b"x\r\n\r\n"));
        assert_eq!(&buf[..], b"NEXT");
    }
}
