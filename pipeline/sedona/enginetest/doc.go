// Package enginetest holds the end-to-end tests of the Sedona engine: the
// embedded Oakland demo run with `engine: sedona` on local Spark and on a
// standalone Spark cluster started on localhost, each compared file by file
// with the native run. They are in a package of their own so that their
// Spark start-ups (tens of seconds each) count against their own test
// timeout, not the pipeline package's. The package has no code of its own.
package enginetest
