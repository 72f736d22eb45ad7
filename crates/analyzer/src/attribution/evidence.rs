//! Image evidence for the BL3 rules.
