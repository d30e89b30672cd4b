/**
 * {@code ./run demo}: the study end to end on FashionScenes (data, standard/robust/judge
 * models, attacks, saliency, synthesis, PAG), as resumable stages whose records make a re-run
 * cheap, ending in {@code report.html}.
 */
package org.robustseg.demo;
