package org.robustseg.rules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.robustseg.engine.OwnedArrays;

/**
 * No class of any module turns Java data into an NDArray, or multiplies, divides, raises or
 * compares-and-picks with a Number, except through {@link OwnedArrays}: DJL backs those arrays
 * with Java-owned memory that a garbage collection can free while autograd still needs it (the
 * class comment of OwnedArrays tells the story). Addition, subtraction, comparisons and clip with
 * a Number are allowed: their backward pass keeps no operand.
 */
class EngineOwnedMemoryRuleTest {
    /** NDArray operations whose Number overload is backed by a Java-owned scalar that autograd may keep. */
    private static final Set<String> UNSAFE_SCALAR_OPS =
            Set.of("mul", "muli", "div", "divi", "pow", "powi", "maximum", "minimum", "mod", "modi");

    private static JavaClasses classes;

    @BeforeAll
    static void importAllModules() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.robustseg");
    }

    /** The rule sees every module of the build, so a new module cannot escape it unnoticed. */
    @Test
    void everyModuleOfTheBuildIsChecked() throws IOException {
        String parent = Files.readString(Path.of("..", "pom.xml"));
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        int modules = 0;
        while (m.find()) {
            String module = m.group(1);
            if (module.equals("robustseg-rules")) {
                continue;
            }
            modules++;
            boolean seen = classes.stream().anyMatch(c -> c.getSource().map(s -> s.getUri().toString().contains("/" + module + "/")
                    || s.getUri().toString().contains("/" + module + "-")).orElse(false));
            assertTrue(seen, "no class of module " + module + " was imported: add it as a dependency of robustseg-rules");
        }
        assertTrue(modules >= 4, "read only " + modules + " modules from the parent pom");
    }

    @Test
    void javaDataBecomesNdArraysOnlyThroughOwnedArrays() {
        DescribedPredicate<JavaMethodCall> create = DescribedPredicate.describe(
                "NDManager.create(...) (Java-owned memory, or uninitialised memory for create(Shape...)): use OwnedArrays.of / NDManager.zeros",
                call -> call.getTargetOwner().isAssignableTo(NDManager.class) && call.getName().equals("create")
                        && !firstParameterIsString(call));
        noClasses().that().doNotBelongToAnyOf(OwnedArrays.class).should().callMethodWhere(create).check(classes);
    }

    @Test
    void scalarArithmeticThatAutogradRemembersGoesThroughOwnedArrays() {
        DescribedPredicate<JavaMethodCall> scalarOp = DescribedPredicate.describe(
                "NDArray/NDArrays mul, div, pow, maximum, minimum, mod with a Number: use OwnedArrays.mul/div/pow/maximum/minimum",
                call -> (call.getTargetOwner().isAssignableTo(NDArray.class) || call.getTargetOwner().isEquivalentTo(NDArrays.class))
                        && UNSAFE_SCALAR_OPS.contains(call.getName()) && takesNumber(call));
        noClasses().that().doNotBelongToAnyOf(OwnedArrays.class).should().callMethodWhere(scalarOp).check(classes);
    }

    private static boolean firstParameterIsString(JavaMethodCall call) {
        List<JavaClass> p = call.getTarget().getRawParameterTypes();
        return !p.isEmpty() && (p.get(0).isEquivalentTo(String.class) || p.get(0).isEquivalentTo(String[].class));
    }

    private static boolean takesNumber(JavaMethodCall call) {
        return call.getTarget().getRawParameterTypes().stream().anyMatch(t -> t.isEquivalentTo(Number.class));
    }
}
