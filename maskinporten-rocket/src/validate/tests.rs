use super::*;

#[test]
fn b64token_accepts_exactly_its_alphabet() {
    for b in 0u8..=255 {
        let expected = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
        let token = [b'a', b];
        let token = String::from_utf8_lossy(&token);
        if token.len() == 2 {
            assert_eq!(is_b64token(&token), expected || b == b'=', "byte {b:#04x}");
        }
    }
    assert!(is_b64token("abc=="));
    assert!(!is_b64token("=="));
    assert!(!is_b64token("a=b"));
}
