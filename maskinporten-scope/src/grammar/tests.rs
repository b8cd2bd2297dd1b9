use super::*;

fn nais_name_regex() -> regex::Regex {
    regex::Regex::new(r"^([a-zæøå0-9]+\/?)+(\:[a-zæøå0-9]+)*[a-zæøå0-9]+(\.[a-zæøå0-9]+)*$")
        .expect("the NAIS pattern compiles")
}

/// Every string up to seven characters over an alphabet that exercises
/// each branch of the pattern: the hand-written check and NAIS's regex
/// must agree on all of them (5^1 + ... + 5^7 = 97,655 strings).
#[test]
fn name_check_accepts_exactly_what_the_nais_regex_accepts() {
    let regex = nais_name_regex();
    let alphabet = ['a', 'ø', '/', ':', '.'];
    let mut checked = 0;
    for len in 1..=7u32 {
        for mut n in 0..alphabet.len().pow(len) {
            let mut name = String::new();
            for _ in 0..len {
                name.push(alphabet[n % alphabet.len()]);
                n /= alphabet.len();
            }
            assert_eq!(
                check_name(&name).is_ok(),
                regex.is_match(&name),
                "disagreement on name {name:?}: {:?}",
                check_name(&name)
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 97_655);
}

#[test]
fn the_nais_example_splits_into_its_manifest_fields() {
    let parts = parse("nav:helse/sykepenger/afp.read").unwrap();
    assert_eq!(
        parts,
        Parts {
            prefix: "nav",
            product: "helse",
            separator: '/',
            name: "sykepenger/afp.read",
        }
    );
}

#[test]
fn product_ends_at_the_first_separator() {
    let parts = parse("nav:arbeid:aap:vedtak.les").unwrap();
    assert_eq!(parts.product, "arbeid");
    assert_eq!(parts.separator, ':');
    assert_eq!(parts.name, "aap:vedtak.les");
}

#[test]
fn each_broken_rule_has_its_own_error() {
    use ScopeErrorKind::*;
    let cases: &[(&str, ScopeErrorKind)] = &[
        ("", Empty),
        ("nav:helse/a b", Whitespace),
        ("helse", MissingPrefix),
        (":helse/ab", EmptyPrefix),
        ("NAV:helse/ab", BadPrefixChar('N')),
        ("nav:/ab", EmptyProduct),
        ("nav:", EmptyProduct),
        ("nav:Helse/ab", BadProductChar('H')),
        (
            "nav:helse",
            MissingSeparator {
                product: "helse".into(),
            },
        ),
        ("nav:helse/", EmptyName),
        ("nav:helse/afp-read", BadNameChar('-')),
        ("nav:helse/afp.Read", BadNameChar('R')),
        ("nav:helse/afp.read/", NameEndsWith('/')),
        ("nav:helse/afp.", NameEndsWith('.')),
        ("nav:helse//afp", NameStartsWith('/')),
        ("nav:helse/afp//read", AdjacentSeparators(['/', '/'])),
        ("nav:helse/afp.read/x", AfterDotPart('/')),
        ("nav:helse/ab:cd/ef", SlashAfterColon),
        ("nav:helse/a", ShortLastRun("a".into())),
        ("nav:helse/ab:c", ShortLastRun("c".into())),
    ];
    for (scope, expected) in cases {
        assert_eq!(parse(scope).as_ref(), Err(expected), "for {scope:?}");
    }
}

#[test]
fn norwegian_letters_are_allowed_in_names_only() {
    assert!(parse("nav:helse/sykepengesøknad.les").is_ok());
    assert_eq!(
        parse("nav:pensjonåå/ab").unwrap_err(),
        ScopeErrorKind::BadProductChar('å')
    );
}
