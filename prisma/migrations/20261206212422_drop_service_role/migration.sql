-- The SERVICE role had no purpose: machine clients are ServiceClient rows with scopes, never users,
-- and no policy rule grants SERVICE anything. Postgres cannot drop an enum value, so the type is
-- rebuilt with the two roles a person can hold. (The migrator runs this file in one transaction.)

-- A user row holding SERVICE could do nothing. Keep it able to do nothing: it becomes a disabled
-- USER, which every guard refuses, rather than a working account nobody meant to create.
UPDATE "User" SET "role" = 'USER', "disabledAt" = COALESCE("disabledAt", CURRENT_TIMESTAMP) WHERE "role" = 'SERVICE';

CREATE TYPE "Role_new" AS ENUM ('USER', 'ADMIN');
ALTER TABLE "User" ALTER COLUMN "role" DROP DEFAULT;
ALTER TABLE "User" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");
ALTER TYPE "Role" RENAME TO "Role_old";
ALTER TYPE "Role_new" RENAME TO "Role";
DROP TYPE "Role_old";
ALTER TABLE "User" ALTER COLUMN "role" SET DEFAULT 'USER';
