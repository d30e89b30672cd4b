/**
 * What people look at: image grids (PNG), line charts (XChart), console tables and the
 * self-contained HTML report. Knows nothing of models; callers hand it numbers and pictures.
 */
package org.robustseg.report;
