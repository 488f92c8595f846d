import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import type { Settings } from '../config/settings.js';
import type { Database } from '../db/database.js';
import { users } from '../db/schema.js';
import { DATABASE, SETTINGS } from '../tokens.js';
import { hashPassword, verifyPassword } from './password.js';
import { type TokenClaims, TokenSigner } from './token.js';

@Injectable()
export class AuthService {
  private readonly signer: TokenSigner;
  // Verified against when the email is unknown, so a missing account costs the same time as a wrong password.
  private readonly decoyHash: Promise<string>;

  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(SETTINGS) settings: Settings,
  ) {
    this.signer = new TokenSigner(settings.AUTH_TOKEN_SECRET, settings.AUTH_TOKEN_TTL_S);
    this.decoyHash = hashPassword('decoy-password-for-unknown-accounts');
    this.decoyHash.catch(() => {});
  }

  /** Returns a signed token, or undefined when the email or the password is wrong (never says which). */
  async login(email: string, password: string): Promise<{ token: string; expiresIn: number } | undefined> {
    const [user] = await this.database.db
      .select({ id: users.id, email: users.email, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, email.toLowerCase()))
      .limit(1);
    const ok = await verifyPassword(user?.passwordHash ?? (await this.decoyHash), password);
    if (!user || !ok) return undefined;
    const token = await this.signer.sign({ userId: user.id, email: user.email });
    return { token, expiresIn: this.signer.ttlSeconds };
  }

  verifyToken(token: string): Promise<TokenClaims | undefined> {
    return this.signer.verify(token);
  }
}
