import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { z } from 'zod';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { AuthService } from './auth.service.js';

const loginBody = z.object(
  {
    email: z.email({
      error: (issue) => (issue.input === undefined ? 'required' : 'must be an email address'),
    }),
    password: z
      .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
      .min(1, 'must not be empty')
      .max(1024, 'must be at most 1024 characters'),
  },
  { error: 'must be a JSON object' },
);

@Controller()
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Post('auth/login')
  @HttpCode(200)
  async login(@Body(new ZodBodyPipe(loginBody)) body: z.infer<typeof loginBody>) {
    const session = await this.auth.login(body.email, body.password);
    if (!session) throw new UnauthorizedException('wrong email or password');
    return { token: session.token, tokenType: 'Bearer', expiresIn: session.expiresIn };
  }

  @Get('me')
  async me(@Headers('authorization') authorization: string | undefined) {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '');
    if (!match?.[1])
      throw new UnauthorizedException('send Authorization: Bearer <token> from POST /auth/login');
    const claims = await this.auth.verifyToken(match[1]);
    if (!claims) throw new UnauthorizedException('token is invalid or expired');
    return { id: claims.userId, email: claims.email };
  }
}
