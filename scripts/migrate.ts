/** Creates the database if needed and applies pending migrations: `npm run db:migrate`. */
import { migrate } from '../lib/db/migrate';
import { databaseUrl } from '../lib/db/url';

migrate(databaseUrl())
  .then((applied) => {
    const where = databaseUrl().replace(/\/\/[^@]*@/, '//***@');
    console.log(applied.length ? `Database ${where}: applied ${applied.join(', ')}` : `Database ${where} is up to date`);
  })
  .catch((e) => {
    console.error(`Database migration failed: ${(e as Error).message}`);
    process.exit(1);
  });
