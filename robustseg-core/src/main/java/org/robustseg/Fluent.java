package org.robustseg;

import java.util.function.Consumer;

/**
 * The one configuration style of the library's fluent objects ({@code GradientAttack},
 * {@code InputOptimizer}, {@code Inpainting}, {@code Generation}, {@code Trainer}): immutable to
 * their users, each setter ("wither") returns a modified copy, so one configured object can be
 * shared and varied (e.g. in an eps sweep) without the variants affecting each other.
 *
 * <p>A wither is one line, {@code return with(c -> c.eps = value);}: {@link #with} takes a
 * shallow copy, applies the edit to it and returns it. The copy is a field-for-field clone, so
 * no class has to repeat its field list to copy itself, and a field added later is copied too.
 * Fields of a subclass are therefore not final, but only ever written on a fresh copy, before it
 * is returned; the objects they refer to must themselves be immutable.
 *
 * @param <T> the subclass itself
 */
public abstract class Fluent<T extends Fluent<T>> implements Cloneable {

    /** A shallow copy of this object with {@code edit} applied to it; this object is unchanged. */
    @SuppressWarnings("unchecked")
    protected final T with(Consumer<? super T> edit) {
        T copy;
        try {
            copy = (T) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e); // Fluent is Cloneable
        }
        edit.accept(copy);
        return copy;
    }
}
