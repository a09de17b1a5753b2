/** Something read from AWS, or why it could not be: unknown is never taken for open or closed. */
export type Known<T> = { known: true; value: T } | { known: false; why: string };
