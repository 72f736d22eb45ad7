//! Running the builder.
