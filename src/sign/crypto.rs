//! The hashing the algorithms share: SHA-256 and HMAC-SHA256 finished directly on `sha2`'s
//! block function, SM3 (feature `sm3`), hex, constant-time comparison, and the
//! elliptic-curve helpers (feature `ecdsa`).
//!
//! The signer hashes short messages (a canonical request of a few hundred bytes, a string
//! to sign of about a hundred) with a key whose HMAC pad states are prepared once. Going
//! through `sha2::compress256` with the padding written here skips the generic wrappers'
//! buffering, state copies and resets, which cost about as much as a compression on such
//! short inputs. The result is SHA-256 and HMAC-SHA256 exactly (see the tests against the
//! `sha2` and `hmac` crates).

use sha2::compress256;

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A block of the block function's input.
// Named through `digest`'s alias: generic-array 0.14.9 deprecates naming its type directly.
type Block = sha2::digest::core_api::Block<sha2::Sha256VarCore>;

/// How many blocks are handed to the block function at once, copied into a buffer on the
/// stack. Each call of `sha2`'s SHA-NI block function loads its constants and shuffles the
/// state in and out again: one call for the 5 blocks of a canonical request instead of 5
/// saves more than the copy costs (benches/README.md).
const BATCH: usize = 8;
/// The blocks of an HMAC's inner message at once: a string to sign of up to 183 bytes.
const INNER_BATCH: usize = 4;

#[inline]
fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    compress256(state, std::slice::from_ref(<&Block>::from(block)));
}

/// Hashes `msg` onwards from `state`, which has already absorbed `absorbed` bytes (a
/// multiple of 64), and gives the digest; up to `N` blocks at a time (a buffer on the
/// stack, sized to the message expected, as it is zeroed on every call).
#[inline]
fn finish<const N: usize>(mut state: [u32; 8], absorbed: usize, msg: &[u8]) -> [u8; 32] {
    // Room for the two blocks the padding may take.
    const { assert!(N >= 2) };
    let mut batch = [Block::default(); N];
    let mut queued = 0;
    let mut blocks = msg.chunks_exact(64);
    for block in &mut blocks {
        batch[queued].copy_from_slice(block);
        queued += 1;
        if queued == N {
            compress256(&mut state, &batch);
            queued = 0;
        }
    }
    // The tail, 0x80, zeros, and the message length in bits: one block, or two when the
    // tail leaves less than 9 bytes.
    let tail = blocks.remainder();
    let padded = if tail.len() < 56 { 1 } else { 2 };
    if queued + padded > N {
        compress256(&mut state, &batch[..queued]);
        queued = 0;
    }
    // Blocks that held an earlier batch are zeroed again.
    batch[queued] = Block::default();
    batch[queued][..tail.len()].copy_from_slice(tail);
    batch[queued][tail.len()] = 0x80;
    if padded == 2 {
        batch[queued + 1] = Block::default();
    }
    let bits = ((absorbed + msg.len()) as u64).wrapping_mul(8);
    batch[queued + padded - 1][56..].copy_from_slice(&bits.to_be_bytes());
    compress256(&mut state, &batch[..queued + padded]);
    let mut digest = [0u8; 32];
    for (out, word) in digest.chunks_exact_mut(4).zip(state) {
        out.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// SHA-256 of `msg`.
#[inline]
pub(crate) fn sha256(msg: &[u8]) -> [u8; 32] {
    finish::<BATCH>(IV, 0, msg)
}

/// HMAC-SHA256 with the key's inner and outer pad states computed once (RFC 2104).
#[derive(Clone)]
pub(crate) struct HmacSha256 {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacSha256 {
    /// Prepares `key` (of any length; keys longer than a block are hashed first).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&sha256(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut padded = [0u8; 64];
        let mut pad_state = |pad: u8| {
            for (p, k) in padded.iter_mut().zip(&block) {
                *p = k ^ pad;
            }
            let mut state = IV;
            compress(&mut state, &padded);
            state
        };
        let (inner, outer) = (pad_state(0x36), pad_state(0x5c));
        wipe(&mut block);
        wipe(&mut padded);
        HmacSha256 { inner, outer }
    }

    /// HMAC-SHA256 of `msg`.
    #[inline]
    pub(crate) fn mac(&self, msg: &[u8]) -> [u8; 32] {
        let inner = finish::<INNER_BATCH>(self.inner, 64, msg);
        // 32 bytes and their padding: one block (room for two, as `finish` needs).
        finish::<2>(self.outer, 64, &inner)
    }
}

impl Drop for HmacSha256 {
    fn drop(&mut self) {
        // The pad states are as good as the key.
        for state in [&mut self.inner, &mut self.outer] {
            #[cfg(feature = "zeroize")]
            zeroize::Zeroize::zeroize(state);
            #[cfg(not(feature = "zeroize"))]
            {
                *state = [0; 8];
                std::hint::black_box(&state);
            }
        }
    }
}

/// Overwrites key material on the stack.
pub(crate) fn wipe(bytes: &mut [u8; 64]) {
    #[cfg(feature = "zeroize")]
    zeroize::Zeroize::zeroize(bytes);
    #[cfg(not(feature = "zeroize"))]
    {
        *bytes = [0; 64];
        std::hint::black_box(&bytes);
    }
}

/// The hash an algorithm uses for the canonical request, the body and (for the HMAC and
/// key-derivation steps) its MAC. SM3 exists only in builds with the `sm3` feature, so an
/// SM3 digest is never computed without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    /// SHA-256.
    Sha256,
    /// SM3 (GB/T 32905).
    #[cfg(feature = "sm3")]
    Sm3,
}

/// hex(SHA-256("")), the payload hash of a request without a body.
pub(crate) const EMPTY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// hex(SM3("")).
#[cfg(feature = "sm3")]
pub(crate) const EMPTY_SM3: &str =
    "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b";

impl Hash {
    /// The digest of `data`.
    #[inline]
    pub(crate) fn digest(self, data: &[u8]) -> [u8; 32] {
        match self {
            Hash::Sha256 => sha256(data),
            #[cfg(feature = "sm3")]
            Hash::Sm3 => <sm3::Sm3 as sm3::Digest>::digest(data).into(),
        }
    }

    /// Lower-case hex of the digest of nothing: the payload hash of an empty body.
    pub(crate) fn empty_hex(self) -> &'static str {
        match self {
            Hash::Sha256 => EMPTY_SHA256,
            #[cfg(feature = "sm3")]
            Hash::Sm3 => EMPTY_SM3,
        }
    }

    /// HMAC of `data` under `key` with this hash, for one-off MACs (key derivation).
    #[cfg(feature = "ecdsa")]
    pub(crate) fn hmac(self, key: &[u8], data: &[u8]) -> [u8; 32] {
        match self {
            Hash::Sha256 => HmacSha256::new(key).mac(data),
            #[cfg(feature = "sm3")]
            Hash::Sm3 => {
                use hmac::Mac;
                let mut mac = <hmac::Hmac<sm3::Sm3> as Mac>::new_from_slice(key)
                    .expect("HMAC accepts keys of any length");
                mac.update(data);
                mac.finalize().into_bytes().into()
            }
        }
    }
}

/// A 32-byte digest as 64 lower-case hex digits. Branch-free over a fixed-size array, so
/// that it compiles to vector code, faster than the `hex` crate's loop on a path that
/// writes two of these per signature.
#[inline]
pub(crate) fn hex32(digest: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    let digit = |n: u8| n + if n < 10 { b'0' } else { b'a' - 10 };
    for (pair, &b) in out.chunks_exact_mut(2).zip(digest) {
        pair[0] = digit(b >> 4);
        pair[1] = digit(b & 15);
    }
    out
}

/// A signature as lower-case hex, on the stack: 64 digits for an HMAC, up to 144 for the
/// DER form of an elliptic-curve signature.
#[derive(Clone, Copy)]
pub(crate) struct HexSignature {
    digits: [u8; 144],
    len: usize,
}

impl HexSignature {
    /// No signature yet.
    pub(crate) const EMPTY: HexSignature = HexSignature {
        digits: [0; 144],
        len: 0,
    };

    /// Becomes the hex of an HMAC.
    #[inline]
    pub(crate) fn set_mac(&mut self, mac: &[u8; 32]) {
        self.digits[..64].copy_from_slice(&hex32(mac));
        self.len = 64;
    }

    /// Becomes the hex of a DER signature (at most 72 bytes, as for any 256-bit curve).
    #[cfg(feature = "ecdsa")]
    pub(crate) fn set_der(&mut self, der: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        assert!(
            der.len() <= 72,
            "a DER signature of a 256-bit curve has at most 72 bytes"
        );
        for (pair, &b) in self.digits.chunks_exact_mut(2).zip(der) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 15)];
        }
        self.len = der.len() * 2;
    }

    /// The digits.
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..self.len]).expect("hex digits are ASCII")
    }
}

/// Compares a computed value with a given one in time independent of where they differ.
pub(crate) fn ct_eq(computed: &[u8], given: &[u8]) -> bool {
    if given.len() != computed.len() {
        return false;
    }
    let diff = computed
        .iter()
        .zip(given)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(diff) == 0
}

/// What the two elliptic-curve algorithms share: the key derived from the AK/SK as the
/// official SDKs derive it, and DER signatures.
#[cfg(feature = "ecdsa")]
pub(crate) mod ec {
    use super::Hash;

    /// 32 big-endian bytes from 64 hex digits, at compile time.
    pub(crate) const fn hex_literal(s: &[u8; 64]) -> [u8; 32] {
        const fn nibble(c: u8) -> u8 {
            match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => panic!("not a lower-case hex digit"),
            }
        }
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
            i += 1;
        }
        out
    }

    /// The private key `d = c + 1` for the first `c = HMAC(SK, data(counter))` with
    /// `c <= n - 2`, where `data = 00000001 || NAME || 00 || AK || counter || 00000100`
    /// (docs/SIGNING.md §2). `None` when no counter gives one (probability about 2^-8160).
    pub(crate) fn derive_secret(
        name: &str,
        hash: Hash,
        ak: &str,
        sk: &str,
        n_minus_2: &[u8; 32],
    ) -> Option<[u8; 32]> {
        let mut data = Vec::with_capacity(4 + name.len() + 1 + ak.len() + 1 + 4);
        for counter in 0..0xffu8 {
            data.clear();
            data.extend_from_slice(&[0, 0, 0, 1]);
            data.extend_from_slice(name.as_bytes());
            data.push(0);
            data.extend_from_slice(ak.as_bytes());
            data.push(counter);
            data.extend_from_slice(&[0, 0, 1, 0]);
            let c = hash.hmac(sk.as_bytes(), &data);
            if &c <= n_minus_2 {
                return Some(plus_one(c));
            }
        }
        None
    }

    /// Adds one to a big-endian number known to be below the maximum.
    fn plus_one(mut c: [u8; 32]) -> [u8; 32] {
        for byte in c.iter_mut().rev() {
            let (v, carry) = byte.overflowing_add(1);
            *byte = v;
            if !carry {
                break;
            }
        }
        c
    }

    /// Strips leading zero bytes, as Python's `int.to_bytes` of minimal length does.
    pub(crate) fn minimal(bytes: &[u8]) -> &[u8] {
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        &bytes[first..]
    }

    /// Lower-case hex of a DER signature into bytes on the stack; `None` when it is not
    /// hex or longer than any signature of a 256-bit curve.
    pub(crate) fn decode_hex(signature: &str, out: &mut [u8; 72]) -> Option<usize> {
        let len = signature.len() / 2;
        if signature.len() % 2 != 0 || len > out.len() {
            return None;
        }
        hex::decode_to_slice(signature, &mut out[..len]).ok()?;
        Some(len)
    }

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` of two unsigned big-endian numbers.
    pub(crate) fn der_encode(r: &[u8], s: &[u8]) -> Vec<u8> {
        fn integer(out: &mut Vec<u8>, v: &[u8]) {
            let v = minimal(v);
            let pad = v.first().is_none_or(|&b| b & 0x80 != 0);
            out.push(0x02);
            out.push((v.len() + usize::from(pad)) as u8);
            if pad {
                out.push(0);
            }
            out.extend_from_slice(v);
        }
        let mut body = Vec::with_capacity(72);
        integer(&mut body, r);
        integer(&mut body, s);
        let mut out = Vec::with_capacity(body.len() + 2);
        out.push(0x30);
        out.push(body.len() as u8);
        out.extend_from_slice(&body);
        out
    }

    /// Parses DER `SEQUENCE { INTEGER r, INTEGER s }` (short-form lengths only, as for any
    /// signature of a 256-bit curve).
    pub(crate) fn der_decode(der: &[u8]) -> Option<(&[u8], &[u8])> {
        fn integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
            let (&tag, rest) = input.split_first()?;
            let (&len, rest) = rest.split_first()?;
            let len = usize::from(len);
            if tag != 0x02 || len == 0 || len > 33 || rest.len() < len {
                return None;
            }
            let (value, rest) = rest.split_at(len);
            if value[0] & 0x80 != 0 {
                return None;
            }
            Some((value, rest))
        }
        let (&tag, rest) = der.split_first()?;
        let (&len, rest) = rest.split_first()?;
        if tag != 0x30 || usize::from(len) != rest.len() {
            return None;
        }
        let (r, rest) = integer(rest)?;
        let (s, rest) = integer(rest)?;
        rest.is_empty().then_some((r, s))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn der_round_trips() {
            let r = [0x80u8; 32];
            let s = [0x01u8; 32];
            let der = der_encode(&r, &s);
            let (r2, s2) = der_decode(&der).unwrap();
            assert_eq!(minimal(r2), &r[..]);
            assert_eq!(minimal(s2), &s[..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    /// Bytes that differ from one position to the next.
    fn bytes(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn sha256_is_sha2s_at_every_length_up_to_past_two_batches() {
        // Up to past two batches of blocks, with every tail length in each.
        for len in 0..=1100 {
            let msg = bytes(len, 7);
            assert_eq!(
                sha256(&msg),
                <[u8; 32]>::from(Sha256::digest(&msg)),
                "{len}"
            );
        }
    }

    #[test]
    fn hmac_is_the_hmac_crates_for_every_key_and_message_length() {
        for key_len in [0, 1, 20, 32, 41, 63, 64, 65, 100, 128, 200] {
            let key = bytes(key_len, 3);
            let prepared = HmacSha256::new(&key);
            for len in (0..=200).chain([255, 256, 257, 1000]) {
                let msg = bytes(len, 11);
                let mut expected = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
                expected.update(&msg);
                let expected: [u8; 32] = expected.finalize().into_bytes().into();
                assert_eq!(prepared.mac(&msg), expected, "key {key_len}, message {len}");
            }
        }
    }

    #[test]
    fn hex32_is_lower_case_hex_of_every_byte() {
        for start in 0..8u8 {
            let digest: [u8; 32] = std::array::from_fn(|i| (i as u8) * 8 + start);
            assert_eq!(hex32(&digest), hex::encode(digest).as_bytes());
        }
    }

    #[cfg(feature = "sm3")]
    #[test]
    fn sm3_of_nothing_is_the_documented_constant() {
        assert_eq!(hex::encode(Hash::Sm3.digest(b"")), EMPTY_SM3);
    }

    #[test]
    fn constant_time_comparison_compares_every_byte() {
        let a = [b'a'; 64];
        let mut b = a;
        assert!(ct_eq(&a, &b));
        b[63] = b'b';
        assert!(!ct_eq(&a, &b));
        assert!(!ct_eq(&a, &b[..63]));
    }

    #[test]
    fn rfc_4231_test_case_2() {
        let mac = HmacSha256::new(b"Jefe").mac(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
