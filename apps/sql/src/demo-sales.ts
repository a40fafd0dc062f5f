import type { DuckDBValue } from '@duckdb/node-api';
import { demoSalesData } from '@sophia/sql-core';

function cents(c: number): string {
  return (c / 100).toFixed(2);
}

/** Creates and fills PRODUCTS, ORDERS and ORDER_ITEMS (replacing any previous demo tables). */
export async function seedDemoSales(run: (sql: string, params?: DuckDBValue[]) => Promise<void>, now: Date): Promise<void> {
  const { products, orders } = demoSalesData(now);
  await run('CREATE OR REPLACE TABLE PRODUCTS (product_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, category VARCHAR NOT NULL, list_price DECIMAL(10,2) NOT NULL)');
  await run('CREATE OR REPLACE TABLE ORDERS (order_id INTEGER PRIMARY KEY, customer_name VARCHAR NOT NULL, region VARCHAR NOT NULL, order_date DATE NOT NULL, status VARCHAR NOT NULL)');
  await run('CREATE OR REPLACE TABLE ORDER_ITEMS (order_id INTEGER NOT NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL, unit_price DECIMAL(10,2) NOT NULL)');
  const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  await run(`INSERT INTO PRODUCTS VALUES ${products.map((p) => `(${p.productId}, ${str(p.name)}, ${str(p.category)}, ${cents(p.listPriceCents)})`).join(', ')}`);
  for (let i = 0; i < orders.length; i += 500) {
    const chunk = orders.slice(i, i + 500);
    await run(`INSERT INTO ORDERS VALUES ${chunk.map((o) => `(${o.orderId}, ${str(o.customerName)}, ${str(o.region)}, DATE '${o.orderDate}', '${o.status}')`).join(', ')}`);
    const items = chunk.flatMap((o) => o.items.map((it) => `(${o.orderId}, ${it.productId}, ${it.quantity}, ${cents(it.unitPriceCents)})`));
    await run(`INSERT INTO ORDER_ITEMS VALUES ${items.join(', ')}`);
  }
}
