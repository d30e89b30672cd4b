/**
 * The robustseg command-line tool: picocli commands that compose the core library's public
 * API, console progress bars and tables, JSON outputs. Holds no modelling logic of its own.
 */
package org.robustseg.app;
