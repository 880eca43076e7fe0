/** What this middleware uses of Express's request and response. */
interface Request {
  method: string;
  is(type: string): string | false | null;
}
interface Response {
  status(code: number): { json(body: unknown): unknown };
}

/**
 * A body that is not JSON would reach the ValidationPipe as nothing at all,
 * and its message would name no field: say what to send instead (415).
 */
export function requireJson(req: Request, res: Response, next: () => void): void {
  if (req.method === 'POST' && !req.is('application/json')) {
    res.status(415).json({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'send the user as JSON, with the header Content-Type: application/json',
    });
    return;
  }
  next();
}
