import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG } from '../../config/config.module';
import { Clock } from '../clock';
import { ACCESS_TOKEN_VERIFIER, configuredAccessTokenVerifier } from './access-token-verifier';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { VerifiedTokens } from './verified-tokens';

@Module({
  imports: [PassportModule.register({ session: false })],
  providers: [
    VerifiedTokens,
    {
      provide: ACCESS_TOKEN_VERIFIER,
      inject: [APP_CONFIG, VerifiedTokens, Clock],
      useFactory: configuredAccessTokenVerifier,
    },
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [ACCESS_TOKEN_VERIFIER],
})
export class AuthModule {}
