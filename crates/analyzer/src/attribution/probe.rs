//! Content reads.
