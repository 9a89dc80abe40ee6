//! Typed views of the header values the UAS needs: URIs, name-addr (From/To/Contact/
//! P-Asserted-Identity), Via and CSeq. Parsing is lenient where RFC 4475 says a robust
//! element should be (`;` and `?` in the user part, IPv6 references, LWS around `/` in
//! Via), strict where it calls a name-addr invalid (LWS inside `<>`, separators in an
//! unquoted display name, a URI with headers or a comma outside `<>`: 3.1.2.13-15), and
//! returns `None` where a value cannot be understood.

use std::net::{IpAddr, SocketAddr};

/// `;name[=value]` parameters, names lower-cased, in order.
pub(crate) type Params = Vec<(String, Option<String>)>;

/// A SIP, SIPS or tel URI (or another scheme, of which only the scheme is kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Uri {
    pub scheme: String,
    /// User part (sip/sips) or the number (tel), without URI parameters.
    pub user: Option<String>,
    /// Host without brackets; empty for tel and unknown schemes.
    pub host: String,
    pub port: Option<u16>,
    pub params: Params,
}

impl Uri {
    pub fn parse(text: &str) -> Option<Uri> {
        let text = text.trim();
        let (scheme, rest) = text.split_once(':')?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        let scheme = scheme.to_ascii_lowercase();
        match scheme.as_str() {
            "sip" | "sips" => Self::parse_sip(scheme, rest),
            "tel" => {
                let mut parts = rest.split(';');
                let number = parts.next().filter(|n| !n.is_empty())?;
                Some(Uri {
                    scheme,
                    user: Some(number.to_string()),
                    host: String::new(),
                    port: None,
                    params: parse_params(parts),
                })
            }
            _ => Some(Uri {
                scheme,
                user: None,
                host: String::new(),
                port: None,
                params: Vec::new(),
            }),
        }
    }

    fn parse_sip(scheme: String, rest: &str) -> Option<Uri> {
        // The user part may itself contain `;` and `?` (RFC 4475 3.1.1.2, 3.1.1.9); `@`
        // cannot appear unescaped after the host, so the first `@` ends the userinfo.
        let (user, hostpart) = match rest.split_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or_default();
                (Some(user.to_string()), host)
            }
            None => (None, rest),
        };
        let hostpart = hostpart.split('?').next().unwrap_or_default();
        let (host, port, params) = parse_hostport_params(hostpart)?;
        Some(Uri {
            scheme,
            user,
            host,
            port,
            params,
        })
    }

    /// True when a sip/sips URI text has headers (`?…` after the host part).
    pub fn has_headers(text: &str) -> bool {
        text.split_once('@')
            .map_or(text, |(_, host)| host)
            .contains('?')
    }

    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

/// Parses `host[:port][;params]`, host possibly an IPv6 reference in brackets.
fn parse_hostport_params(text: &str) -> Option<(String, Option<u16>, Params)> {
    let (hostport, params) = match text.find(';') {
        Some(i) => (&text[..i], parse_params(text[i + 1..].split(';'))),
        None => (text, Vec::new()),
    };
    let hostport = hostport.trim();
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || "<>\"[]".contains(c)) {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.trim().parse::<u16>().ok()?),
        None => None,
    };
    Some((host.to_string(), port, params))
}

fn parse_params<'a>(parts: impl Iterator<Item = &'a str>) -> Params {
    parts
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim().to_string())),
            None => (p.trim().to_ascii_lowercase(), None),
        })
        .collect()
}

fn find_param<'a>(params: &'a [(String, Option<String>)], name: &str) -> Option<Option<&'a str>> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_deref())
}

/// `["display"] <uri> *(;param)` or `uri *(;param)` (From, To, Contact, PAI, Route).
#[derive(Clone, Debug)]
pub(crate) struct NameAddr {
    pub uri: Uri,
    /// The URI as written (for Route headers and Contact echo).
    pub uri_text: String,
    pub params: Params,
}

impl NameAddr {
    pub fn parse(text: &str) -> Option<NameAddr> {
        let text = text.trim();
        let (uri_text, params_text) = if let Some(lt) = find_unquoted(text, '<') {
            let display = text[..lt].trim();
            if display.starts_with('"') && !quoted_string_is_closed(display) {
                return None;
            }
            // An unquoted display name is tokens and LWS (RFC 4475 3.1.2.15); non-ASCII
            // is let through for the phones that send names unquoted.
            if !display.starts_with('"')
                && display.contains(|c: char| "\",;:@<>\\/[]?={}".contains(c))
            {
                return None;
            }
            let gt = text[lt..].find('>')? + lt;
            let inside = &text[lt + 1..gt];
            // No LWS inside the brackets (RFC 4475 3.1.2.14).
            if inside.trim() != inside {
                return None;
            }
            (inside, &text[gt + 1..])
        } else {
            // addr-spec without brackets: parameters belong to the header, and a URI with
            // headers or a comma must be in brackets (RFC 3261 20.10, RFC 4475 3.1.2.13).
            if text.contains(['?', ',']) {
                return None;
            }
            match text.find(';') {
                Some(i) if Uri::parse(&text[..i]).is_some() => (&text[..i], &text[i..]),
                _ => (text, ""),
            }
        };
        let uri = Uri::parse(uri_text)?;
        let params = parse_params(params_text.trim().trim_start_matches(';').split(';'));
        Some(NameAddr {
            uri,
            uri_text: uri_text.trim().to_string(),
            params,
        })
    }

    pub fn tag(&self) -> Option<&str> {
        find_param(&self.params, "tag").flatten()
    }
}

fn quoted_string_is_closed(s: &str) -> bool {
    let mut escaped = false;
    let mut closed = false;
    for c in s.chars().skip(1) {
        closed = false;
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => closed = true,
            _ => {}
        }
    }
    closed
}

/// Index of `needle` outside a quoted string.
fn find_unquoted(text: &str, needle: char) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == needle && !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// Splits a header value on commas outside quotes and angle brackets.
pub(crate) fn split_list(value: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut quoted, mut escaped, mut angle, mut start) = (false, false, false, 0);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                items.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(value[start..].trim());
    items.retain(|s| !s.is_empty());
    items
}

/// One Via entry: `SIP/2.0/UDP host[:port];branch=…;rport`.
#[derive(Clone, Debug)]
pub(crate) struct Via {
    pub transport: String,
    pub host: String,
    pub port: Option<u16>,
    pub params: Params,
}

impl Via {
    pub fn parse(text: &str) -> Option<Via> {
        // sent-protocol may have LWS around the slashes (RFC 4475 3.1.1.1).
        let mut slashes = 0;
        let mut split_at = None;
        for (i, c) in text.char_indices() {
            if c == '/' {
                slashes += 1;
            } else if slashes == 2 && !c.is_whitespace() {
                let end = text[i..].find(char::is_whitespace)? + i;
                split_at = Some(end);
                break;
            }
        }
        let end = split_at?;
        let protocol: String = text[..end].chars().filter(|c| !c.is_whitespace()).collect();
        let mut parts = protocol.split('/');
        let (name, version, transport) = (parts.next()?, parts.next()?, parts.next()?);
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" || transport.is_empty() {
            return None;
        }
        let (host, port, params) = parse_hostport_params(text[end..].trim())?;
        Some(Via {
            transport: transport.to_ascii_uppercase(),
            host,
            port,
            params,
        })
    }

    pub fn branch(&self) -> Option<&str> {
        find_param(&self.params, "branch").flatten()
    }

    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }

    pub fn sent_by(&self) -> String {
        format!(
            "{}:{}",
            self.host.to_ascii_lowercase(),
            self.port.unwrap_or(5060)
        )
    }

    /// Where a response to this Via goes when it arrived over UDP from `source`
    /// (RFC 3261 18.2.2 with RFC 3581): `rport` → the source address and port, else the
    /// `received` address (which we set to the source address) with the sent-by port.
    pub fn response_destination(&self, source: SocketAddr) -> SocketAddr {
        if self.param("rport").is_some() {
            return source;
        }
        SocketAddr::new(source.ip(), self.port.unwrap_or(5060))
    }
}

/// `CSeq: 4711 INVITE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CSeq {
    pub number: u32,
    pub method: String,
}

impl CSeq {
    pub fn parse(text: &str) -> Option<CSeq> {
        let mut parts = text.split_whitespace();
        let number = parts.next()?.parse().ok()?;
        let method = parts.next()?.to_string();
        parts.next().is_none().then_some(CSeq { number, method })
    }
}

/// The caller's number from a URI: the `tel` number or the user part; a phone number
/// (digits with visual separators, optional leading `+`) is reduced to `+` and digits.
pub(crate) fn user_number(uri: &Uri) -> Option<String> {
    let user = uri.user.as_deref()?;
    let user = user.split(';').next().unwrap_or_default();
    let is_phone = user.chars().any(|c| c.is_ascii_digit())
        && user
            .chars()
            .all(|c| c.is_ascii_digit() || "+-.() ".contains(c));
    if is_phone {
        Some(
            user.chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
        )
    } else if user.is_empty() {
        None
    } else {
        Some(user.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_with_semicolon_in_user_part_keeps_the_user() {
        let uri = Uri::parse("sip:user;par=u%40example.net@example.com").unwrap();
        assert_eq!(uri.user.as_deref(), Some("user;par=u%40example.net"));
        assert_eq!(uri.host, "example.com");
    }

    #[test]
    fn uri_with_ipv6_host_and_port_is_parsed() {
        let uri = Uri::parse("sip:+1234@[2001:db8::10]:5070;transport=tcp").unwrap();
        assert_eq!(uri.host, "2001:db8::10");
        assert_eq!(uri.port, Some(5070));
        assert_eq!(
            uri.params,
            vec![("transport".to_string(), Some("tcp".to_string()))]
        );
    }

    #[test]
    fn tel_uri_number_keeps_plus_and_digits() {
        let uri = Uri::parse("tel:+86-10-1234;phone-context=x").unwrap();
        assert_eq!(user_number(&uri).as_deref(), Some("+86101234"));
    }

    #[test]
    fn name_addr_with_quoted_display_name_and_tag() {
        let na = NameAddr::parse("\"A <b>, c\" <sip:100@h>;tag=xyz").unwrap();
        assert_eq!(na.uri.user.as_deref(), Some("100"));
        assert_eq!(na.tag(), Some("xyz"));
        let bare = NameAddr::parse("sip:200@h;tag=1").unwrap();
        assert_eq!(bare.tag(), Some("1"));
        assert_eq!(bare.uri.user.as_deref(), Some("200"));
    }

    #[test]
    fn question_mark_in_the_user_part_is_not_the_start_of_headers() {
        let text = "sip:crazy?,/;;*:&it+has=1@example.com";
        let uri = Uri::parse(text).unwrap();
        assert_eq!(uri.host, "example.com");
        assert!(!Uri::has_headers(text));
        assert!(Uri::has_headers("sip:user@example.com?Route=%3Csip:x%3E"));
    }

    #[test]
    fn name_addrs_rfc_4475_calls_invalid_do_not_parse() {
        for text in [
            "\"Watson, Thomas\" < sip:t.watson@example.org >",
            "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
        ] {
            assert!(NameAddr::parse(text).is_none(), "{text}");
        }
        for text in [
            "caller<sip:caller@example.com>;tag=323",
            "token1~` token2'+_ token3*%!.- <sip:mundane@example.com>",
            "张三 <sip:1001@example.com>",
            "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>",
        ] {
            assert!(NameAddr::parse(text).is_some(), "{text}");
        }
    }

    #[test]
    fn via_with_ipv6_and_spaced_protocol_is_parsed() {
        let via = Via::parse("SIP / 2.0 / UDP [2001:db8::9:1]:5061;branch=z9hG4bKx;rport").unwrap();
        assert_eq!(via.transport, "UDP");
        assert_eq!(via.host, "2001:db8::9:1");
        assert_eq!(via.port, Some(5061));
        assert_eq!(via.branch(), Some("z9hG4bKx"));
        assert_eq!(via.param("rport"), Some(None));
    }

    #[test]
    fn list_split_ignores_commas_in_quotes_and_brackets() {
        let items = split_list("\"a, b\" <sip:x@y>, <sip:z@w;p=1,2>");
        assert_eq!(items, vec!["\"a, b\" <sip:x@y>", "<sip:z@w;p=1,2>"]);
    }
}
