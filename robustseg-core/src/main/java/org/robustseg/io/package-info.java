/**
 * File handling shared by every package: atomic writes (temporary file, flush, rename) so that
 * a crash never leaves a half-written artefact, and deleting directory trees. Depends only on
 * the JDK.
 */
package org.robustseg.io;
