import { v7 } from 'uuid';

/** Time-ordered ids for rows and messages. */
export const newId = (): string => v7();
