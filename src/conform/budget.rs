//! A bound on what a case file holds once YAML has expanded its aliases.
//!
//! An alias copies its anchor wherever it appears, so a few kilobytes of YAML can stand for
//! gigabytes of values (a "billion laughs"; the YAML reader's own repetition limit still
//! lets one anchor of n items be aliased n times, n² in all, or a long string be repeated).
//! Before a case is read, its text is walked without keeping anything, each node and each
//! byte of scalar text spending from a budget proportional to the file's size; a file
//! that overspends is refused, so reading a case never holds much more than its text.

use std::cell::Cell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

/// What a case may hold per byte of its text, once expanded, beyond [`ALLOWANCE`].
const PER_BYTE: usize = 8;

/// What any case may hold, however short its text.
const ALLOWANCE: usize = 64 * 1024;

/// Refuses `text` if, expanded, it holds more than its budget. Other faults of the text are
/// left for the reader to report in its own words.
pub(crate) fn check(text: &str) -> Result<(), String> {
    let left = Cell::new(
        text.len()
            .saturating_mul(PER_BYTE)
            .saturating_add(ALLOWANCE),
    );
    let exhausted = Cell::new(false);
    let walk = Walk {
        left: &left,
        exhausted: &exhausted,
    };
    let _ = walk.deserialize(serde_yaml_ng::Deserializer::from_str(text));
    if exhausted.get() {
        return Err(format!(
            "invalid case file: its aliases expand it past {PER_BYTE} times its size"
        ));
    }
    Ok(())
}

/// Walks any value, spending from `left`.
#[derive(Clone, Copy)]
struct Walk<'a> {
    left: &'a Cell<usize>,
    exhausted: &'a Cell<bool>,
}

impl Walk<'_> {
    fn spend<E: de::Error>(self, n: usize) -> Result<(), E> {
        match self.left.get().checked_sub(n) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exhausted.set(true);
                Err(E::custom("expanded past its budget"))
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.spend(1)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.spend(1)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.spend(1)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.spend(1)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.spend(1 + v.len())
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.spend(1 + v.len())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.spend(1)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.spend(1)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.spend(1)?;
        self.deserialize(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.spend(1)?;
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spend(1)?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.spend(1)?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    /// A tagged value (`!tag value`).
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn cases_with_a_few_aliases_pass_and_alias_bombs_are_refused() {
        assert!(check("name: a\nvars: {x: &x [1, 2], y: *x}\nsteps: []\n").is_ok());
        let long = "x".repeat(4096);
        let bomb = format!("s: &s {long}\nt: [{}]\n", vec!["*s"; 2000].join(","));
        let e = check(&bomb).unwrap_err();
        assert!(e.contains("aliases expand it"), "{e}");
        let items = vec!["x"; 1500].join(",");
        let square = format!("a: &a [{items}]\nb: [{}]\n", vec!["*a"; 1500].join(","));
        assert!(check(&square).is_err());
    }
}
