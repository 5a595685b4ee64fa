-- CreateTable
CREATE TABLE "SpentProof" (
    "id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "spentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SpentProof_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SpentProof_expiresAt_idx" ON "SpentProof"("expiresAt");

