/** The robustseg command-line tool. */
package org.robustseg.app;
