package org.isolex;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test (or a test class) that checks something only an in-process interpreter has. The
 * surefire execution {@code worker-process} leaves it out by its tag ({@value #TAG}), so the
 * worker run neither runs nor skips it; run by hand with
 * {@code -Disolex.test.isolation=WORKER_PROCESS} (NativeTestBase.ISOLATION; issue 14), it is
 * disabled with its reason. The reason says which documented difference it meets
 * (abi/ABI.md 13).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(InProcessOnly.Condition.class)
@Tag(InProcessOnly.TAG)
@interface InProcessOnly {
    /** The JUnit tag of these tests (java/core/pom.xml excludes it from the worker run). */
    String TAG = "in-process-only";

    /** {@return why the test means nothing in a worker process} */
    String value();

    /** Disables an annotated test in the worker-process run. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (NativeTestBase.ISOLATION != Isolation.WORKER_PROCESS) return ConditionEvaluationResult.enabled("in process");
            Optional<AnnotatedElement> element = context.getElement();
            InProcessOnly only = element.map(e -> e.getAnnotation(InProcessOnly.class)).orElse(null);
            if (only == null) return ConditionEvaluationResult.enabled("applies in worker processes");
            return ConditionEvaluationResult.disabled("in process only: " + only.value());
        }
    }
}
