/** An HTTP answer as the suites hold it (a supertest response, a recorded exchange). */
export interface Answer {
  status: number;
  body: Record<string, any>;
  headers: Record<string, string>;
}

/**
 * How `answer` differs from the spec's error answer (§2): `status`, exactly the body `{detail, error_code,
 * request_id}` with `code` and the X-Request-ID, and with `retryAfter` a Retry-After in whole seconds. None: it is
 * one. A list, so a suite can check thousands of answers and show every deviation at once.
 */
export function errorAnswerProblems(answer: Answer, status: number, code: string, retryAfter: boolean): string[] {
  const problems: string[] = [];
  const { body, headers } = answer;
  if (answer.status !== status) problems.push(`status ${answer.status}`);
  if (Object.keys(body).sort().join() !== 'detail,error_code,request_id') {
    problems.push(`body keys ${Object.keys(body).join()}`);
  }
  if (body.error_code !== code) problems.push(`error_code ${body.error_code}`);
  if (typeof body.detail !== 'string' || body.detail.length === 0) problems.push('no detail');
  if (body.request_id !== headers['x-request-id']) problems.push('request_id differs from X-Request-ID');
  if (retryAfter && !/^[1-9]\d*$/.test(headers['retry-after'] ?? '')) {
    problems.push(`Retry-After ${headers['retry-after']}`);
  }
  return problems;
}
