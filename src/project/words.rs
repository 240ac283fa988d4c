//! The words of a file, kept to find the files that may mention a name without reading them
//! again: `references` of a model looks at every file of every project.

/// The distinct words of a text (runs of ASCII letters, digits, `_` and non-ASCII bytes),
/// ASCII-lowercased, as sorted 32-bit hashes. A hash collision only costs a file read.
#[derive(Debug)]
pub struct Words(Box<[u32]>);

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Whether `text` is one word in the sense of [`Words`].
pub fn is_word(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_word_byte)
}

/// FNV-1a over the ASCII-lowercased bytes.
fn hash(word: &[u8]) -> u32 {
    word.iter().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0193))
}

impl Words {
    pub fn of(text: &str) -> Words {
        let mut hashes: Vec<u32> =
            text.as_bytes().split(|b| !is_word_byte(*b)).filter(|w| !w.is_empty()).map(hash).collect();
        hashes.sort_unstable();
        hashes.dedup();
        Words(hashes.into_boxed_slice())
    }

    /// Whether the text may contain `word` as a whole word (ASCII case-insensitively); false
    /// means it does not.
    pub fn may_contain(&self, word: &str) -> bool {
        self.0.binary_search(&hash(word.as_bytes())).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::{Words, is_word};

    #[test]
    fn whole_words_case_insensitively() {
        let words = Words::of("SELECT o.Order_ID FROM \"Shop\".orders_raw -- café\n{{ ref('x') }}");
        for present in ["select", "order_id", "ORDER_ID", "shop", "orders_raw", "café", "ref", "x"] {
            assert!(words.may_contain(present), "{present}");
        }
        for absent in ["orders", "raw", "shop.orders_raw"] {
            assert!(!words.may_contain(absent), "{absent}");
        }
        assert!(is_word("orders_2024") && !is_word("a.b") && !is_word("") && !is_word("my table"));
    }
}
