//! The proxy a client uses, from the environment: the first of `ALL_PROXY`, `HTTPS_PROXY`
//! and `HTTP_PROXY` (upper or lower case) that is set, unless `NO_PROXY` exempts the
//! endpoint's host. `NO_PROXY` is read as curl reads it.

/// The variables naming a proxy, in the order they are tried.
const PROXY_VARS: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// The variable naming a proxy and its value, for a connection to `host` (an endpoint's
/// host, IPv6 in brackets); `None` when no variable is set or `NO_PROXY` exempts `host`.
/// Empty variables count as unset.
pub(crate) fn from_env(
    host: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Option<(&'static str, String)> {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let no_proxy = set("NO_PROXY").or_else(|| set("no_proxy"));
    if no_proxy.is_some_and(|list| no_proxy_matches(&list, host)) {
        return None;
    }
    PROXY_VARS
        .iter()
        .find_map(|name| set(name).map(|value| (*name, value)))
}

/// Whether the `NO_PROXY` list exempts `host`, as curl decides:
///
/// - `*` alone exempts every host;
/// - entries are separated by commas, blanks around them ignored;
/// - a host name matches an entry equal to it or to one of its parent domains
///   (`example.com` exempts `example.com` and `www.example.com`, not
///   `notexample.com`), without regard to case, a leading or trailing dot of the entry and
///   a trailing dot of the host ignored;
/// - an IP address matches an equal address, or a range in CIDR notation
///   (`127.0.0.0/8`, `fd00::/8`); names are not resolved.
pub(crate) fn no_proxy_matches(list: &str, host: &str) -> bool {
    let list = list.trim();
    if list == "*" {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip = bare.parse::<std::net::IpAddr>().ok();
    let name = bare.strip_suffix('.').unwrap_or(bare);
    list.split(',')
        .map(|entry| entry.trim_matches([' ', '\t']))
        .filter(|entry| !entry.is_empty())
        .any(|entry| match ip {
            Some(ip) => ip_matches(ip, entry),
            None => name_matches(name, entry),
        })
}

fn name_matches(name: &str, entry: &str) -> bool {
    let entry = entry.strip_suffix('.').unwrap_or(entry);
    let entry = entry.strip_prefix('.').unwrap_or(entry);
    if entry.is_empty() || entry.len() > name.len() {
        return false;
    }
    let (head, tail) = name.split_at(name.len() - entry.len());
    tail.eq_ignore_ascii_case(entry) && (head.is_empty() || head.ends_with('.'))
}

fn ip_matches(ip: std::net::IpAddr, entry: &str) -> bool {
    use std::net::IpAddr;
    let (address, bits) = match entry.split_once('/') {
        Some((address, bits)) => match bits.parse::<u32>() {
            Ok(bits) => (address, Some(bits)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let address = address
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(address);
    match (ip, address.parse::<IpAddr>()) {
        (IpAddr::V4(ip), Ok(IpAddr::V4(net))) => prefix_matches(
            u128::from(u32::from(ip)),
            u128::from(u32::from(net)),
            32,
            bits,
        ),
        (IpAddr::V6(ip), Ok(IpAddr::V6(net))) => {
            prefix_matches(u128::from(ip), u128::from(net), 128, bits)
        }
        _ => false,
    }
}

/// The first `bits` of `a` and `b` (numbers of `width` bits) are equal; all of them when
/// `bits` is `None` or 0, as curl reads `/0`; never when `bits` is wider than the address.
fn prefix_matches(a: u128, b: u128, width: u32, bits: Option<u32>) -> bool {
    let bits = match bits {
        None | Some(0) => width,
        Some(bits) if bits > width => return false,
        Some(bits) => bits,
    };
    let shift = width - bits;
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_is_read_as_curl_reads_it() {
        #[rustfmt::skip]
        let table: &[(&str, &str, bool)] = &[
            ("*", "anything.example", true),
            ("*", "127.0.0.1", true),
            ("localhost", "localhost", true),
            ("localhost", "LOCALHOST", true),
            ("localhost", "api.localhost", true),
            ("localhost", "notlocalhost", false),
            ("localhost", "127.0.0.1", false),
            ("example.com", "example.com", true),
            ("example.com", "www.example.com", true),
            ("example.com", "notexample.com", false),
            (".example.com", "example.com", true),
            (".example.com", "www.example.com", true),
            ("example.com.", "www.example.com.", true),
            ("www.example.com", "example.com", false),
            (" other.org ,\texample.com ", "example.com", true),
            ("other.org,,example.com", "example.com", true),
            ("", "example.com", false),
            (",", "example.com", false),
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("127.0.0.0/8", "127.0.0.1", true),
            ("127.0.0.0/8", "127.255.1.2", true),
            ("127.0.0.0/8", "128.0.0.1", false),
            ("10.0.0.0/33", "10.0.0.1", false),
            ("10.0.0.0/x", "10.0.0.1", false),
            ("192.168.1.7/0", "192.168.1.7", true),
            ("192.168.1.7/0", "192.168.1.8", false),
            ("::1", "[::1]", true),
            ("[::1]", "[::1]", true),
            ("fd00::/8", "[fd12::5]", true),
            ("fd00::/8", "[fe80::1]", false),
            ("127.0.0.0/8", "[::1]", false),
            ("example.com", "[::1]", false),
        ];
        for (list, host, expected) in table {
            assert_eq!(
                no_proxy_matches(list, host),
                *expected,
                "NO_PROXY={list:?}, host {host}"
            );
        }
    }

    #[test]
    fn the_first_proxy_variable_set_is_used_unless_no_proxy_exempts_the_host() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let vars: &[(&str, &str)] = &[
            ("HTTP_PROXY", "http://proxy.example:3128"),
            ("https_proxy", ""),
            ("NO_PROXY", "localhost,127.0.0.0/8"),
        ];
        assert_eq!(
            from_env("mpc.cn-north-4.myhuaweicloud.com", env(vars)),
            Some(("HTTP_PROXY", "http://proxy.example:3128".to_owned()))
        );
        assert_eq!(from_env("127.0.0.1", env(vars)), None);
        assert_eq!(from_env("localhost", env(vars)), None);
        let vars: &[(&str, &str)] = &[
            ("all_proxy", "socks5://s.example"),
            ("HTTPS_PROXY", "http://p.example"),
            ("no_proxy", "other.example"),
        ];
        assert_eq!(
            from_env("mpc.example", env(vars)),
            Some(("all_proxy", "socks5://s.example".to_owned()))
        );
        assert_eq!(from_env("mpc.example", env(&[])), None);
    }
}
