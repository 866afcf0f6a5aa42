/** rolemill's version, as in package.json (a test keeps the two equal); recorded in every output's manifest. */
export const VERSION = '0.1.0';
