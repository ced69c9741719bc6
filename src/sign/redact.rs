//! Redacted views of signing values, safe to log.

use std::fmt;

/// A canonical request with the value of any `x-security-token` line hidden.
pub(crate) fn canonical(canonical_request: &str) -> RedactedCanonical<'_> {
    RedactedCanonical(canonical_request)
}

/// See [`canonical`].
pub(crate) struct RedactedCanonical<'a>(&'a str);

impl fmt::Display for RedactedCanonical<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.0.split('\n').enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            if line.starts_with("x-security-token:") {
                f.write_str("x-security-token:<redacted>")?;
            } else {
                f.write_str(line)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for RedactedCanonical<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}
