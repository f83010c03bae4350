package dev.stagehand.queue;

import java.util.Arrays;
import java.util.Set;

/**
 * One allowed move of a lifecycle: into {@link #to()} from any of {@link #from()}. Each lifecycle
 * (job, build, request, attempt) lists its moves as an enum; every guarded UPDATE of its state
 * names one and takes its {@code WHERE state IN (from)} from it.
 */
interface Move<S extends Enum<S>> {
    S to();

    Set<S> from();

    /** Whether one of {@code moves} takes a row from {@code from} to {@code to}: the lifecycle as a relation. */
    static <S extends Enum<S>> boolean allowed(Move<S>[] moves, S from, S to) {
        return Arrays.stream(moves).anyMatch(m -> m.to() == to && m.from().contains(from));
    }
}
