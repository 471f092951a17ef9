//! Addresses on a [`Net`](super::Net): `host:port` strings, compared as DNS
//! compares names (the host without regard to case) and as ports are
//! numbers (`db:05432` is `db:5432`).

use std::borrow::Cow;
use std::io::{self, ErrorKind};

/// `addr` in the form a net keys its listeners by: the host in lower case,
/// then `:` and the port as a number. Borrowed when `addr` is in that form
/// already, so a connect to a well-written address allocates nothing here.
///
/// # Errors
///
/// `InvalidInput` unless `addr` is `host:port` with a non-empty host (an
/// IPv6 host in brackets) and a port from 0 to 65535.
pub(super) fn normalize(addr: &str) -> io::Result<Cow<'_, str>> {
    let bad = |why: &str| {
        io::Error::new(
            ErrorKind::InvalidInput,
            format!(
                "pipetap net: {addr:?} is not an address: {why}; \
                 addresses are host:port, such as \"db:5432\""
            ),
        )
    };
    let Some((host, port)) = addr.rsplit_once(':') else {
        return Err(bad("it has no port"));
    };
    if host.is_empty() {
        return Err(bad("its host is empty"));
    }
    if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
        return Err(bad("an IPv6 host goes in brackets, as in \"[::1]:80\""));
    }
    if host.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(bad("its host holds a space or a '/'"));
    }
    let number: u16 = match port.parse() {
        Ok(n) if port.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => return Err(bad("its port is not a number from 0 to 65535")),
    };
    let plain_port = port.len() == 1 || !port.starts_with('0');
    if plain_port && !host.bytes().any(|b| b.is_ascii_uppercase()) {
        Ok(Cow::Borrowed(addr))
    } else {
        Ok(Cow::Owned(format!(
            "{}:{number}",
            host.to_ascii_lowercase()
        )))
    }
}

/// The address a URI names: its host and port, the port by scheme when the
/// URI has none (`http` and `ws` 80, `https` and `wss` 443).
///
/// # Errors
///
/// `InvalidInput` if the URI has no host, or no port and a scheme with no
/// default port.
#[cfg(feature = "hyper")]
pub(super) fn of_uri(uri: &http::Uri) -> io::Result<String> {
    let bad = |why: &str| {
        io::Error::new(
            ErrorKind::InvalidInput,
            format!("pipetap net: cannot connect to {uri}: {why}"),
        )
    };
    let host = uri.host().ok_or_else(|| bad("the URI has no host"))?;
    let port = match (uri.port_u16(), uri.scheme_str()) {
        (Some(port), _) => port,
        (None, Some("http" | "ws")) => 80,
        (None, Some("https" | "wss")) => 443,
        (None, Some(scheme)) => {
            return Err(bad(&format!(
                "it has no port, and the scheme {scheme:?} has no default port"
            )))
        }
        (None, None) => return Err(bad("it has no port and no scheme")),
    };
    Ok(format!("{}:{port}", host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_written_addresses_are_borrowed() {
        for addr in [
            "db:5432",
            "api:80",
            "[::1]:8080",
            "127.0.0.1:0",
            "a.b-c:65535",
        ] {
            assert!(matches!(normalize(addr).unwrap(), Cow::Borrowed(a) if a == addr));
        }
    }

    #[test]
    fn hosts_ignore_case_and_ports_are_numbers() {
        assert_eq!(normalize("DB:5432").unwrap(), "db:5432");
        assert_eq!(normalize("db:05432").unwrap(), "db:5432");
        assert_eq!(normalize("db:0").unwrap(), "db:0");
    }

    #[test]
    fn malformed_addresses_fail_with_invalid_input() {
        for addr in [
            "db", ":80", "db:", "db:http", "db:65536", "db:-1", "::1:80", "d b:1", "db:+1",
        ] {
            let err = normalize(addr).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{addr}");
            assert!(err.to_string().contains(&format!("{addr:?}")), "{err}");
        }
    }

    #[cfg(feature = "hyper")]
    #[test]
    fn uris_give_host_and_port_with_the_scheme_s_default() {
        let of = |uri: &str| of_uri(&uri.parse().unwrap());
        assert_eq!(of("http://users/").unwrap(), "users:80");
        assert_eq!(of("https://Users/x").unwrap(), "users:443");
        assert_eq!(of("http://users:8080/").unwrap(), "users:8080");
        assert_eq!(of("http://[::1]:50051").unwrap(), "[::1]:50051");
        assert_eq!(of("grpc://x").unwrap_err().kind(), ErrorKind::InvalidInput);
        assert_eq!(of("/path").unwrap_err().kind(), ErrorKind::InvalidInput);
    }
}
