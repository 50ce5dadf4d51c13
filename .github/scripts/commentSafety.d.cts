/** Types for commentSafety.cjs (plain CommonJS so actions/github-script loads it without npm). */
export declare function commentProblems(body: string, marker: string): string[];
