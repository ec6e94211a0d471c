/**
 * The read-model schema: Flyway migrations under {@code db/migration} and the jOOQ classes generated from them
 * ({@code io.polyglot.readmodel.jooq}). People query the views in schema {@code public}; the tables behind them, in
 * schema {@code projection}, belong to the projection worker.
 */
package io.polyglot.readmodel;
