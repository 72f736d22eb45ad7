//! Exhaustive inputs for tests that compare a shortcut with the slower code it stands for.

/// Calls `visit` with every sequence of up to `max_length` symbols from `alphabet`.
pub(crate) fn every_word<T: Copy>(alphabet: &[T], max_length: u32, mut visit: impl FnMut(&[T])) {
    let mut word = Vec::new();
    for length in 0..=max_length {
        for mut number in 0..alphabet.len().pow(length) {
            word.clear();
            for _ in 0..length {
                word.push(alphabet[number % alphabet.len()]);
                number /= alphabet.len();
            }
            visit(&word);
        }
    }
}
