//! Reads the top-level string members of a JSON object, which is all an MPC error body
//! needs (`error_code`, `error_msg`, `request_id`), so that the call model needs no JSON
//! dependency.
//!
//! The parser is strict (RFC 8259): anything that is not one complete JSON object gives
//! `None`. Nested values are checked and skipped; nesting is bounded.

const MAX_DEPTH: usize = 64;

/// The string members of the object `body`, in order; `None` when `body` is not exactly
/// one JSON object (surrounding whitespace allowed).
pub(crate) fn string_members(body: &[u8]) -> Option<Vec<(String, String)>> {
    let mut p = Parser { s: body, i: 0 };
    p.ws();
    let mut members = Vec::new();
    p.object(0, Some(&mut members))?;
    p.ws();
    (p.i == body.len()).then_some(members)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.i += 1)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn object(&mut self, depth: usize, mut out: Option<&mut Vec<(String, String)>>) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            if self.peek() == Some(b'"') {
                let value = self.string()?;
                if let Some(out) = out.as_deref_mut() {
                    out.push((key, value));
                }
            } else {
                self.value(depth + 1)?;
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        self.ws();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            self.value(depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(depth, None),
            b'[' => self.array(depth),
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        (self.s.get(self.i..end)? == word).then(|| self.i = end)
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let end = self.i.checked_add(4)?;
        let digits = std::str::from_utf8(self.s.get(self.i..end)?).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i = end;
        u32::from_str_radix(digits, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            // A lone low surrogate is not a character: replace it, as
                            // lenient decoders do.
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0x00..=0x1F => return None,
                _ => out.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(s: &str) -> Option<Vec<(String, String)>> {
        string_members(s.as_bytes())
    }

    #[test]
    fn reads_the_documented_error_body() {
        let m = members(r#"{"error_code":"MPC.10211","error_msg":"The task does not exist."}"#);
        assert_eq!(
            m.unwrap(),
            vec![
                ("error_code".into(), "MPC.10211".into()),
                ("error_msg".into(), "The task does not exist.".into())
            ]
        );
    }

    #[test]
    fn skips_nested_and_non_string_members_and_decodes_escapes() {
        let m = members(
            " {\"a\": [1, -2.5e+3, {\"x\": null}], \"b\": true, \"c\": \"\\u00e9\\ud83d\\ude00\\n\\\"\", \"d\": {\"error_code\": \"inner\"}} \n",
        )
        .unwrap();
        assert_eq!(m, vec![("c".into(), "é😀\n\"".into())]);
    }

    #[test]
    fn anything_but_one_json_object_is_refused() {
        for s in [
            "",
            "null",
            "[]",
            "\"x\"",
            "{",
            "{\"a\":1,}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":\"\u{1}\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":tru}",
            "{} {}",
            "<html>502 Bad Gateway</html>",
            "{\"a\":\"\\ud83d\"}",
        ] {
            assert_eq!(members(s), None, "{s:?}");
        }
        let deep = "[".repeat(100_000);
        assert_eq!(members(&format!("{{\"a\":{deep}}}")), None);
    }
}
