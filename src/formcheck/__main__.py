from formcheck.cli import main

if __name__ == "__main__":  # not when a worker process re-imports it (Dask's spawn start)
    raise SystemExit(main())
