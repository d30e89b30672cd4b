/**
 * What the studio's jobs work on: the loaded models side by side ({@link org.robustseg.studio.workspace.StudioModel}),
 * the validation scenes, uploaded images (decoded safely and resized to the models' size) and the
 * pictures (PNG data URLs) the page shows. Depends on robustseg-core and the app's report code
 * only; knows nothing of HTTP beyond the status an {@link org.robustseg.studio.workspace.ApiException} carries.
 */
package org.robustseg.studio.workspace;
