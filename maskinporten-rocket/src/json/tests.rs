use super::*;
use serde_json::Value;

/// Keeps `a`, skips the rest, counts every member.
#[derive(Default, Debug)]
struct KeepA {
    a: Option<Value>,
    count: usize,
}

impl Members for KeepA {
    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        access: &mut A,
    ) -> Result<(), A::Error> {
        self.count += 1;
        if name == "a" {
            self.a = Some(access.next_value()?);
        } else {
            access.next_value::<Skip>()?;
        }
        Ok(())
    }
}

#[test]
fn members_arrive_in_order_and_the_rest_is_skipped() {
    let read: KeepA = unique_object(br#"{"b":[1,{"c":2}],"a":"x","d":null}"#).unwrap();
    assert_eq!(read.a, Some(Value::from("x")));
    assert_eq!(read.count, 3);
}

#[test]
fn a_repeated_name_is_refused_however_it_is_spelled() {
    for doc in [
        r#"{"a":1,"a":2}"#,
        r#"{"b":1,"a":1,"b":2}"#,
        // The same name once with an escape: equal once decoded.
        r#"{"a":1,"\u0061":2}"#,
    ] {
        assert!(unique_object::<KeepA>(doc.as_bytes()).is_err(), "{doc}");
    }
}

#[test]
fn nested_objects_may_repeat_names_of_the_outer_one() {
    assert!(unique_object::<KeepA>(br#"{"a":{"a":1},"b":{"a":2}}"#).is_ok());
}

#[test]
fn many_members_still_find_a_late_duplicate() {
    let mut doc = String::from("{");
    for i in 0..1000 {
        doc.push_str(&format!("\"m{i}\":0,"));
    }
    assert!(unique_object::<KeepA>(format!("{doc}\"z\":0}}").as_bytes()).is_ok());
    assert!(unique_object::<KeepA>(format!("{doc}\"m7\":0}}").as_bytes()).is_err());
}

#[test]
fn anything_but_one_object_is_refused() {
    for doc in ["[]", "1", "\"a\"", "{} {}", "{", ""] {
        assert!(unique_object::<KeepA>(doc.as_bytes()).is_err(), "{doc:?}");
    }
}

#[test]
fn a_skipped_member_nested_deeper_than_a_value_can_be_is_refused() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let doc = |depth| format!(r#"{{"a":1,"x":{}}}"#, nested(depth));
    assert!(unique_object::<KeepA>(doc(100).as_bytes()).is_ok());
    assert!(unique_object::<KeepA>(doc(5000).as_bytes()).is_err());
    // The same bound as a `Value`'s, so what we accept `raw()` can show.
    assert!(serde_json::from_str::<Value>(&doc(100)).is_ok());
    assert!(serde_json::from_str::<Value>(&doc(5000)).is_err());
}
