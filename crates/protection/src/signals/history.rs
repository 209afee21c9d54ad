//! Reading a file of past weekly counts.
