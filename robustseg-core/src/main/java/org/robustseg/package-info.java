/** robustseg: adversarially robust semantic segmentation and gradient-based image synthesis. */
package org.robustseg;
