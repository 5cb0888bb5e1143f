import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { VerifiedTokens } from './verified-tokens';

@Module({
  imports: [PassportModule.register({ session: false })],
  providers: [VerifiedTokens, JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  exports: [VerifiedTokens],
})
export class AuthModule {}
