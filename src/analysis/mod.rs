//! Editor questions answered as plain data.
