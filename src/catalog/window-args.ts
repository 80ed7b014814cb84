import { FIRST_MAX } from './cursors.js';

/** The connection arguments' options, shared by every field that pages products. */
export const firstArg = {
  nullable: true,
  description: `How many items after \`after\` (cursor connections), 0 to ${FIRST_MAX}; not with \`page\`.`,
};
export const afterArg = { nullable: true, description: 'A cursor from `edges` or `pageInfo.endCursor`: the window starts after it.' };
