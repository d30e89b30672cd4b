package org.robustseg.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.robustseg.data.DataSets;
import org.robustseg.data.Images;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;

/**
 * The studio in a real browser: Selenium 4 driving Debian's headless chromium through its
 * chromedriver ({@code ./run test} installs both). A person's steps: pick a scene, brush a hole,
 * run inpainting on both models and see both images change and the progress reach the end; paint
 * a layout and generate; attack; edit; saliency; stop a long run. Each state is saved as a
 * screenshot in target/studio-screenshots/ (a person looks at them; one is in the README).
 */
class StudioBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of(System.getProperty("robustseg.studio.screenshots", "target/studio-screenshots"));
    /** The page draws the 64×64 input on a 320×320 canvas: 5 screen pixels per image pixel. */
    static final int SCALE = 5;
    /** Inpainting steps of the first test: few on the tiny models; the README's picture took the preset's 60 on the demo's. */
    static final String INPAINT_STEPS = System.getProperty("robustseg.studio.steps", "8");

    static Studio studio;
    static SegSample scene;
    ChromeDriver driver;

    @BeforeAll
    static void start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): './run test' installs them, or apt-get install chromium chromium-driver");
        }
        studio = TinyStudio.start(TinyStudio.limits(4, 120));
        scene = DataSets.open(TinyStudio.data(), Split.VAL).get(0);
    }

    @AfterAll
    static void stop() {
        if (studio != null) {
            studio.close();
        }
    }

    @BeforeEach
    void openPage() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1050",
                "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.get("http://127.0.0.1:" + studio.port() + "/");
        waitFor(20, () -> driver.findElement(By.id("input-note")).getText().startsWith("scene 0"));
    }

    @AfterEach
    void closePage() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void brushAHoleAndInpaintOnTwoModels() {
        brush(List.of(new int[] {22, 26}, new int[] {30, 30}, new int[] {40, 34}), 4);
        setValue("inpaint-steps", INPAINT_STEPS);
        int[] mask = intArray("return Array.from(state.mask)");
        assertTrue(sum(mask) > 30, "the brush painted a hole: " + sum(mask) + " pixels");
        runAndWait("done");
        float[] original = quantised(scene.image());
        for (WebElement col : columns()) {
            String model = col.getAttribute("data-model");
            assertTrue(Integer.parseInt(col.getAttribute("data-updates")) >= 2, model + ": intermediate images arrived");
            WebElement bar = col.findElement(By.className("progress"));
            assertEquals(bar.getAttribute("max"), bar.getAttribute("value"), model + ": the progress reached the end");
            assertEquals(INPAINT_STEPS, col.getAttribute("data-step"), model + ": the last step");
            float[] shown = TinyStudio.pixels(col.findElement(By.className("main-image")).getAttribute("src"));
            int changed = 0;
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 64 * 64; p++) {
                    int k = c * 64 * 64 + p;
                    if (mask[p] == 0) {
                        assertEquals(original[k], shown[k], 1e-6f, model + ": pixel " + p + " outside the hole changed");
                    } else if (Math.abs(original[k] - shown[k]) > 1e-3f) {
                        changed++;
                    }
                }
            }
            assertTrue(changed > 30, model + ": the result image changed in the hole (" + changed + " values)");
            assertTrue(col.findElement(By.className("figures")).getText().contains("loss after"), model);
        }
        assertTrue(driver.findElement(By.id("download")).isDisplayed(), "the result can be downloaded with its settings");
        screenshot("studio-inpaint.png");
    }

    @Test
    void paintALayoutAndGenerate() {
        tab("generate");
        setValue("generate-class", "9");
        brush(List.of(new int[] {16, 20}, new int[] {32, 36}, new int[] {44, 44}), 8);
        int[] layout = intArray("return Array.from(state.layout)");
        assertTrue(java.util.Arrays.stream(layout).filter(v -> v == 9).count() > 100, "the layout has a painted bag");
        setValue("generate-steps", "6");
        runAndWait("done");
        for (WebElement col : columns()) {
            String model = col.getAttribute("data-model");
            WebElement bar = col.findElement(By.className("progress"));
            assertEquals(bar.getAttribute("max"), bar.getAttribute("value"), model);
            float[] seed = TinyStudio.pixels(tile(col, "seed").getAttribute("src"));
            float[] result = TinyStudio.pixels(col.findElement(By.className("main-image")).getAttribute("src"));
            assertTrue(maxDifference(seed, result) > 0.01f, model + ": the generated image moved away from its seed");
        }
        screenshot("studio-generate.png");
    }

    @Test
    void attackBothModels() {
        tab("attack");
        setValue("attack-steps", "5");
        runAndWait("done");
        float[] original = quantised(scene.image());
        for (WebElement col : columns()) {
            String model = col.getAttribute("data-model");
            float[] adversarial = TinyStudio.pixels(col.findElement(By.className("main-image")).getAttribute("src"));
            float d = maxDifference(original, adversarial);
            assertTrue(d > 0 && d <= 8 / 255f + 1.01f / 255, model + ": perturbed within eps 8/255, max change " + d * 255 + "/255");
            String figures = col.findElement(By.className("figures")).getText();
            assertTrue(figures.contains("accuracy adversarial") && figures.contains("prediction flipped"), figures);
            assertTrue(tile(col, "adversarial_prediction").getAttribute("src").startsWith("data:image/png"), model);
        }
        screenshot("studio-attack.png");
    }

    @Test
    void clickAnObjectAndEditIt() {
        tab("edit");
        int p = objectPixel();
        click(p % 64, p / 64);
        assertTrue(driver.findElement(By.id("edit-selection")).getText().startsWith("selected: "),
                driver.findElement(By.id("edit-selection")).getText());
        setValue("edit-steps", "6");
        runAndWait("done");
        for (WebElement col : columns()) {
            assertTrue(col.findElement(By.className("figures")).getText().contains("object pixels"), col.getText());
        }
        screenshot("studio-edit.png");
    }

    @Test
    void saliencyMapsSideBySide() {
        tab("saliency");
        runAndWait("done");
        for (WebElement col : columns()) {
            assertTrue(col.findElement(By.className("caption")).getText().equals("saliency"), col.getText());
            assertTrue(col.findElement(By.className("figures")).getText().contains("object concentration"), col.getText());
        }
        screenshot("studio-saliency.png");
    }

    @Test
    void theStopButtonStopsALongRun() {
        brush(List.of(new int[] {20, 20}, new int[] {40, 40}), 5);
        setValue("inpaint-steps", "400");
        driver.findElement(By.id("run")).click();
        waitFor(60, () -> driver.findElements(By.className("model-column")).stream().anyMatch(c -> {
            String step = c.getAttribute("data-step");
            return step != null && Integer.parseInt(step) >= 2;
        }));
        driver.findElement(By.id("stop")).click();
        waitFor(60, () -> "cancelled".equals(driver.findElement(By.id("job-status")).getAttribute("data-status")));
        assertTrue(driver.findElement(By.id("job-status")).getText().contains("stopped by the user"));
        for (WebElement col : columns()) {
            WebElement bar = col.findElement(By.className("progress"));
            assertTrue(Double.parseDouble(bar.getAttribute("value")) < 400, "stopped before the end: " + bar.getAttribute("value"));
        }
        assertTrue(driver.findElement(By.id("run")).isEnabled(), "ready for the next run");
        screenshot("studio-stopped.png");
    }

    // ---- a person's actions ----

    /** Presses at the first point and drags through the others (image pixels x, y), with the brush radius given. */
    private void brush(List<int[]> points, int radius) {
        String mode = (String) js("return state.mode");
        setValue(mode + "-brush", String.valueOf(radius));
        WebElement canvas = driver.findElement(By.id("paint-canvas"));
        Actions a = new Actions(driver).moveToElement(canvas, offset(points.get(0)[0]), offset(points.get(0)[1])).clickAndHold();
        for (int[] p : points.subList(1, points.size())) {
            a = a.moveToElement(canvas, offset(p[0]), offset(p[1]));
        }
        a.release().perform();
    }

    private void click(int x, int y) {
        new Actions(driver).moveToElement(driver.findElement(By.id("paint-canvas")), offset(x), offset(y)).click().perform();
    }

    /** Selenium offsets are from the element's centre. */
    private static int offset(int pixel) {
        return (int) Math.round((pixel + 0.5) * SCALE) - 32 * SCALE;
    }

    private void tab(String mode) {
        driver.findElement(By.cssSelector("#modes button[data-mode='" + mode + "']")).click();
    }

    private void setValue(String id, String value) {
        js("const e = document.getElementById(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('change'));", id, value);
    }

    private void runAndWait(String status) {
        driver.findElement(By.id("run")).click();
        waitFor(240, () -> {
            String s = driver.findElement(By.id("job-status")).getAttribute("data-status");
            if ("failed".equals(s)) {
                fail("the job failed: " + driver.findElement(By.id("job-status")).getText());
            }
            return status.equals(s) && driver.findElement(By.id("run")).isEnabled();
        });
        assertEquals("", driver.findElement(By.id("error")).getText(), "no error shown");
    }

    private List<WebElement> columns() {
        List<WebElement> cols = driver.findElements(By.className("model-column"));
        assertEquals(2, cols.size(), "one column per model");
        return cols;
    }

    private static WebElement tile(WebElement col, String picture) {
        return col.findElement(By.cssSelector(".tile[data-picture='" + picture + "'] img"));
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private int[] intArray(String script) {
        List<?> values = (List<?>) js(script);
        return values.stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    private void waitFor(int seconds, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100)).until(d -> condition.getAsBoolean());
    }

    private void screenshot(String name) {
        try {
            Files.createDirectories(SHOTS);
            File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(f.toPath(), SHOTS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int objectPixel() {
        int[] labels = scene.labels();
        // a pixel well inside an object: all four neighbours two pixels away share its class
        for (int p = 0; p < labels.length; p++) {
            int x = p % 64;
            int y = p / 64;
            if (labels[p] != 0 && x > 2 && x < 61 && y > 2 && y < 61 && labels[p - 2] == labels[p] && labels[p + 2] == labels[p]
                    && labels[p - 128] == labels[p] && labels[p + 128] == labels[p]) {
                return p;
            }
        }
        throw new AssertionError("scene 0 has no object to click");
    }

    private static int sum(int[] a) {
        return java.util.Arrays.stream(a).sum();
    }

    private static float maxDifference(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static float[] quantised(float[] chw) {
        float[] q = chw.clone();
        for (int i = 0; i < q.length; i++) {
            q[i] = Images.quantize(q[i]);
        }
        return q;
    }
}
