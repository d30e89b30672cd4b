/**
 * {@code ./run demo}: the study end to end on FashionScenes (data, standard/robust/judge
 * models, attacks, saliency, synthesis, PAG), as resumable stages whose records make a re-run
 * cheap, ending in {@code report.html}. It calls the commands' jobs (attack, pag, saliency)
 * and the core API directly, never the CLI's argument parsing; a stage record stores the job's
 * typed settings as its inputs.
 */
package org.robustseg.demo;
