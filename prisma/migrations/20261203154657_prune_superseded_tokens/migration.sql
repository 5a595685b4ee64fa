-- CreateIndex
CREATE INDEX "RefreshToken_rotatedAt_idx" ON "RefreshToken"("rotatedAt");

