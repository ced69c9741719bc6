//! Where MPC calls go: the region endpoint table and endpoint URLs given by the caller.

use std::fmt;

use crate::mpc::common::Printable;

/// The MPC endpoint of each region the official SDKs list (docs/SIGNING.md §4). `cn-north-1` is the
/// older `mts` host.
pub const REGIONS: &[(&str, &str)] = &[
    ("cn-north-4", "https://mpc.cn-north-4.myhuaweicloud.com"),
    ("cn-east-2", "https://mpc.cn-east-2.myhuaweicloud.com"),
    ("cn-east-3", "https://mpc.cn-east-3.myhuaweicloud.com"),
    ("cn-south-1", "https://mpc.cn-south-1.myhuaweicloud.com"),
    (
        "ap-southeast-3",
        "https://mpc.ap-southeast-3.myhuaweicloud.com",
    ),
    ("cn-north-1", "https://mts.cn-north-1.myhuaweicloud.com"),
];

/// The environment variable that overrides a region's endpoint, as the official SDKs
/// name it: `HUAWEICLOUD_SDK_REGION_MPC_` and the region in upper case with `-` as `_`.
///
/// ```
/// assert_eq!(
///     huaweicloud_aksk::mpc::region_env_var("cn-north-4"),
///     "HUAWEICLOUD_SDK_REGION_MPC_CN_NORTH_4"
/// );
/// ```
pub fn region_env_var(region: &str) -> String {
    let mut name = String::from("HUAWEICLOUD_SDK_REGION_MPC_");
    name.extend(region.chars().map(|c| match c {
        '-' => '_',
        c => c.to_ascii_uppercase(),
    }));
    name
}

/// Why an endpoint cannot be used.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointError {
    /// The region is not in the endpoint table and no
    /// `HUAWEICLOUD_SDK_REGION_MPC_<REGION>` variable names its endpoint.
    UnknownRegion {
        /// The region asked for.
        region: String,
    },
    /// The endpoint URL cannot be used.
    InvalidUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The `HUAWEICLOUD_SDK_REGION_MPC_<REGION>` variable names a plain `http://`
    /// endpoint on another machine, and plain HTTP was not allowed.
    InsecureHttp {
        /// The region asked for.
        region: String,
        /// The variable.
        variable: String,
    },
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::UnknownRegion { region } => write!(
                f,
                "unknown MPC region \"{}\" (known: {}; or set {} or give an endpoint URL)",
                Printable(region),
                REGIONS
                    .iter()
                    .map(|(r, _)| *r)
                    .collect::<Vec<_>>()
                    .join(", "),
                Printable(&region_env_var(region))
            ),
            EndpointError::InvalidUrl { reason } => write!(f, "invalid endpoint: {reason}"),
            EndpointError::InsecureHttp { region, variable } => write!(
                f,
                "{} names a plain http:// endpoint for region \"{}\": the signed request and \
                 any security token would cross the network in clear (use https://, or allow \
                 plain HTTP explicitly)",
                Printable(variable),
                Printable(region)
            ),
        }
    }
}

impl std::error::Error for EndpointError {}

/// The URL scheme of an endpoint.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `https://`, the default.
    Https,
    /// `http://`, for local endpoints and tests.
    Http,
}

impl Scheme {
    /// `"https"` or `"http"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// An endpoint: scheme and authority (`host` or `host:port`), nothing else.
///
/// The authority is kept as written, since it is what is sent and signed as `Host`; the
/// host name is lower-cased (host names are case-insensitive, and gateways compare the
/// signed `Host` byte for byte).
///
/// ```
/// use huaweicloud_aksk::mpc::Endpoint;
///
/// let e = Endpoint::parse("http://127.0.0.1:8080/").unwrap();
/// assert_eq!(e.authority(), "127.0.0.1:8080");
/// assert_eq!(e.to_string(), "http://127.0.0.1:8080");
/// assert_eq!(Endpoint::for_region("cn-north-1").unwrap().authority(), "mts.cn-north-1.myhuaweicloud.com");
/// assert!(Endpoint::for_region("mars-1").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    scheme: Scheme,
    authority: String,
}

impl Endpoint {
    /// Parses `https://host[:port]` or `http://host[:port]` (a trailing `/` is allowed).
    ///
    /// A URL without a scheme is taken as `https://`, like the official SDKs, except for a
    /// host on this machine (`localhost`, `127.0.0.0/8`, `::1`), taken as `http://`: a
    /// local endpoint speaks plain HTTP, and a TLS handshake with it would only wait for
    /// an answer that never comes.
    pub fn parse(url: &str) -> Result<Endpoint, EndpointError> {
        let invalid = |reason| EndpointError::InvalidUrl { reason };
        let url = url.trim();
        if url.is_empty() {
            return Err(invalid("it is empty"));
        }
        if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid("it contains a space or a control character"));
        }
        let (scheme, rest) = match url.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Some(Scheme::Https), rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Some(Scheme::Http), rest),
            Some(_) => return Err(invalid("the scheme must be https:// or http://")),
            None => (None, url),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if !(tail.is_empty() || tail == "/") {
            return Err(invalid(
                "it must be scheme://host[:port], without a path, query or fragment",
            ));
        }
        if authority.contains('@') {
            return Err(invalid("user information (user@) is not allowed"));
        }
        let (host, port) = split_host_port(authority).ok_or(invalid("it has no valid host"))?;
        if let Some(port) = port {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("the port is not a number"));
            }
            if port.parse::<u16>().map_or(true, |p| p == 0) {
                return Err(invalid("the port is out of range"));
            }
        }
        let host_ok = if host.starts_with('[') {
            host.len() > 2
                && host[1..host.len() - 1]
                    .parse::<std::net::Ipv6Addr>()
                    .is_ok()
        } else {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        };
        if !host_ok {
            return Err(invalid("it has no valid host"));
        }
        let authority = authority.to_ascii_lowercase();
        // The authority must also be a valid URI authority for the HTTP stack.
        if authority.parse::<http::uri::Authority>().is_err() {
            return Err(invalid("it has no valid host"));
        }
        let scheme = scheme.unwrap_or(if is_loopback_host(host) {
            Scheme::Http
        } else {
            Scheme::Https
        });
        Ok(Endpoint { scheme, authority })
    }

    /// The endpoint of a region, from the table [`REGIONS`], unless the process
    /// environment names another in `HUAWEICLOUD_SDK_REGION_MPC_<REGION>`.
    pub fn for_region(region: &str) -> Result<Endpoint, EndpointError> {
        Endpoint::for_region_with_env(region, |name| std::env::var(name).ok())
    }

    /// [`Endpoint::for_region`] with the environment given as a function (for tests and
    /// for callers that keep their own configuration).
    ///
    /// The override may list several endpoints separated by commas, as the official SDKs
    /// accept; the first is used. An `http://` override for a host other than this machine
    /// is refused ([`EndpointError::InsecureHttp`]): the signed request and any security
    /// token would cross the network in clear. The client can allow it explicitly
    /// (`MpcClientBuilder::allow_http`).
    pub fn for_region_with_env(
        region: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Endpoint, EndpointError> {
        Endpoint::resolve_region(region, env, false)
    }

    /// [`Endpoint::for_region_with_env`], allowing a plain `http://` override when
    /// `allow_http` is set.
    pub(crate) fn resolve_region(
        region: &str,
        env: impl Fn(&str) -> Option<String>,
        allow_http: bool,
    ) -> Result<Endpoint, EndpointError> {
        let region = region.trim();
        let variable = region_env_var(region);
        let first = env(&variable).and_then(|value| {
            let first = value.split(',').map(str::trim).find(|s| !s.is_empty());
            first.map(str::to_owned)
        });
        if let Some(url) = first {
            let endpoint = Endpoint::parse(&url)?;
            if endpoint.scheme == Scheme::Http && !allow_http && !endpoint.is_loopback() {
                return Err(EndpointError::InsecureHttp {
                    region: region.to_owned(),
                    variable,
                });
            }
            return Ok(endpoint);
        }
        let (_, url) = REGIONS
            .iter()
            .find(|(r, _)| r.eq_ignore_ascii_case(region))
            .ok_or_else(|| EndpointError::UnknownRegion {
                region: region.to_owned(),
            })?;
        Ok(Endpoint::parse(url).expect("the region table holds valid https:// URLs"))
    }

    /// The host is this machine.
    pub(crate) fn is_loopback(&self) -> bool {
        is_loopback_host(self.host())
    }

    /// The host, without the port (an IPv6 address in brackets).
    pub(crate) fn host(&self) -> &str {
        split_host_port(&self.authority)
            .expect("an endpoint's authority was split when it was parsed")
            .0
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `host` or `host:port`, as sent in `Host`.
    pub fn authority(&self) -> &str {
        &self.authority
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.authority)
    }
}

impl std::str::FromStr for Endpoint {
    type Err = EndpointError;
    fn from_str(s: &str) -> Result<Endpoint, EndpointError> {
        Endpoint::parse(s)
    }
}

/// `localhost` or a name under it, an address in `127.0.0.0/8`, or `::1` (in brackets or
/// not).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let lower = bare.to_ascii_lowercase();
    lower == "localhost"
        || lower.ends_with(".localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Splits `host[:port]` (IPv6 in brackets); `None` when the brackets do not match.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if rest.is_empty() => Some((host, None)),
            None => None,
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => Some((host, Some(port))),
            None => Some((authority, None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_region_has_an_https_endpoint_named_after_it() {
        for (region, _) in REGIONS {
            let e = Endpoint::for_region_with_env(region, |_| None).unwrap();
            assert_eq!(e.scheme(), Scheme::Https);
            let service = if *region == "cn-north-1" {
                "mts"
            } else {
                "mpc"
            };
            assert_eq!(
                e.authority(),
                format!("{service}.{region}.myhuaweicloud.com")
            );
        }
    }

    #[test]
    fn the_environment_overrides_a_region_and_adds_new_ones() {
        let env = |name: &str| {
            (name == "HUAWEICLOUD_SDK_REGION_MPC_EU_WEST_101")
                .then(|| "https://mpc.eu-west-101.myhuaweicloud.eu,https://other".to_owned())
        };
        let e = Endpoint::for_region_with_env("eu-west-101", env).unwrap();
        assert_eq!(e.authority(), "mpc.eu-west-101.myhuaweicloud.eu");
        let env = |_: &str| Some("mpc.example.com:8443".to_owned());
        let e = Endpoint::for_region_with_env("cn-north-4", env).unwrap();
        assert_eq!(e.to_string(), "https://mpc.example.com:8443");
    }

    #[test]
    fn an_unknown_region_names_the_variable_that_would_define_it() {
        let err = Endpoint::for_region_with_env("mars-1", |_| None).unwrap_err();
        assert_eq!(
            err,
            EndpointError::UnknownRegion {
                region: "mars-1".into()
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("HUAWEICLOUD_SDK_REGION_MPC_MARS_1"), "{msg}");
        assert!(msg.contains("cn-north-4"), "{msg}");
    }

    #[test]
    fn endpoints_keep_the_port_as_written() {
        for (url, authority) in [
            ("https://mpc.example.com:443", "mpc.example.com:443"),
            ("http://127.0.0.1:8080/", "127.0.0.1:8080"),
            ("HTTP://LOCALHOST:1", "localhost:1"),
            ("http://[::1]:9000", "[::1]:9000"),
        ] {
            assert_eq!(
                Endpoint::parse(url).unwrap().authority(),
                authority,
                "{url}"
            );
        }
    }

    #[test]
    fn unusable_endpoints_are_refused() {
        for url in [
            "",
            "ftp://h",
            "https://",
            "https://:80",
            "https://h:0",
            "https://h:99999",
            "https://h:x",
            "https://h/v1",
            "https://h?x",
            "https://u@h",
            "https://h h",
            "https://[::1",
            "https://h\0",
            "https://h\r\nX: y",
            "https://é.example",
        ] {
            assert!(
                matches!(Endpoint::parse(url), Err(EndpointError::InvalidUrl { .. })),
                "{url:?}"
            );
        }
    }

    #[test]
    fn without_a_scheme_this_machine_is_http_and_any_other_host_https() {
        for (url, shown) in [
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("127.1.2.3", "http://127.1.2.3"),
            ("localhost:1", "http://localhost:1"),
            ("LocalHost", "http://localhost"),
            ("api.localhost:9", "http://api.localhost:9"),
            ("[::1]:9000", "http://[::1]:9000"),
            ("mpc.example.com:8443", "https://mpc.example.com:8443"),
            ("10.0.0.1:80", "https://10.0.0.1:80"),
            ("notlocalhost", "https://notlocalhost"),
            ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
        ] {
            assert_eq!(Endpoint::parse(url).unwrap().to_string(), shown, "{url}");
        }
    }

    #[test]
    fn a_plain_http_override_for_another_machine_is_refused_unless_allowed() {
        let env = |value: &'static str| move |_: &str| Some(value.to_owned());
        let err =
            Endpoint::for_region_with_env("cn-north-4", env("http://mpc.example.com")).unwrap_err();
        assert_eq!(
            err,
            EndpointError::InsecureHttp {
                region: "cn-north-4".into(),
                variable: "HUAWEICLOUD_SDK_REGION_MPC_CN_NORTH_4".into()
            }
        );
        assert!(err.to_string().contains("in clear"), "{err}");
        let allowed =
            Endpoint::resolve_region("cn-north-4", env("http://mpc.example.com"), true).unwrap();
        assert_eq!(allowed.to_string(), "http://mpc.example.com");
        for local in [
            "http://127.0.0.1:8080",
            "127.0.0.1:8080",
            "http://localhost:1",
        ] {
            let e = Endpoint::for_region_with_env("cn-north-4", env(local)).unwrap();
            assert_eq!(e.scheme(), Scheme::Http, "{local}");
        }
    }
}
