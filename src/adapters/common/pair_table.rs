//! Lookups in a vendor's mapping table written as `(wire, canonical)` pairs: the vendor
//! value for a canonical one and back. Each adapter keeps its own table and its own answer
//! for a value the table lacks; only the search is shared.

/// The right-hand value paired with `left`, from the first pair that has it.
pub fn right_of<L: PartialEq + Copy, R: Copy>(table: &[(L, R)], left: L) -> Option<R> {
    table.iter().find(|(l, _)| *l == left).map(|(_, r)| *r)
}

/// The left-hand value paired with `right`, from the first pair that has it.
pub fn left_of<L: Copy, R: PartialEq + Copy>(table: &[(L, R)], right: R) -> Option<L> {
    table.iter().find(|(_, r)| *r == right).map(|(l, _)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: [(u8, char); 3] = [(1, 'a'), (2, 'b'), (3, 'a')];

    #[test]
    fn the_first_pair_decides_in_both_directions() {
        assert_eq!(right_of(&TABLE, 2), Some('b'));
        assert_eq!(left_of(&TABLE, 'a'), Some(1));
        assert_eq!(right_of(&TABLE, 9), None);
        assert_eq!(left_of(&TABLE, 'z'), None);
    }
}
